"""Portfolio health score 0-100: four components of 0-100 each, equally weighted.

* beta: 100 x max(0, 1 - |beta_252 - 1|) (a market-like beta is healthy; 0 or 2 scores 0);
* volatility: 100 at an annualised 63-day volatility of 10 % or less, falling linearly to 0 at 40 %;
* concentration: the effective number of positions, 1 -> 0 and 20 or more -> 100, linear between;
* diversification: the diversification score (100 x (1 - average pairwise correlation)).

Grade: A >= 85, B >= 70, C >= 55, D >= 40, else F. A missing component (too little history) is left
out of the average and named in the interpretation.
"""

from __future__ import annotations

import numpy as np

GRADES = ((85.0, "A"), (70.0, "B"), (55.0, "C"), (40.0, "D"))
VOL_GOOD, VOL_BAD = 0.10, 0.40
EFFECTIVE_N_FULL = 20.0


def components(beta: np.ndarray, vol: np.ndarray, effective_n: np.ndarray, diversification: np.ndarray) -> dict[str, np.ndarray]:
    return {
        "beta_score": 100.0 * np.clip(1.0 - np.abs(beta - 1.0), 0.0, 1.0),
        "volatility_score": 100.0 * np.clip((VOL_BAD - vol) / (VOL_BAD - VOL_GOOD), 0.0, 1.0),
        "concentration_score": 100.0 * np.clip((effective_n - 1.0) / (EFFECTIVE_N_FULL - 1.0), 0.0, 1.0),
        "diversification_score": np.clip(diversification, 0.0, 100.0),
    }


def grade(score: float) -> str:
    if not np.isfinite(score):
        return "N/A"
    return next((g for floor, g in GRADES if score >= floor), "F")


def health(parts: dict[str, np.ndarray]) -> tuple[np.ndarray, list[str], list[str]]:
    stacked = np.column_stack(list(parts.values()))
    with np.errstate(invalid="ignore"):
        score = np.nanmean(np.where(np.isfinite(stacked), stacked, np.nan), axis=1)
    grades = [grade(s) for s in score]
    names = [name.removesuffix("_score") for name in parts]
    notes = []
    for row, s, g in zip(stacked, score, grades):
        if not np.isfinite(s):
            notes.append("Not enough history to score this portfolio.")
            continue
        weakest = names[int(np.nanargmin(row))]
        missing = [n for n, v in zip(names, row) if not np.isfinite(v)]
        note = f"Grade {g} ({s:.0f}/100); weakest component: {weakest} ({np.nanmin(row):.0f})."
        if missing:
            note += f" Not scored: {', '.join(missing)}."
        notes.append(note)
    return score, grades, notes
