"""How far a sentiment scorer agrees with reference labels: accuracy, Cohen's kappa and the confusion table.

Cohen's kappa = (p_o - p_e) / (1 - p_e): observed agreement p_o corrected for the agreement p_e two raters
with the same label frequencies would reach by chance. When the reference uses one label only, p_e equals
p_o for every scorer and kappa is 0 (or undefined when both raters use that label only): it then carries no
information, and :attr:`Agreement.kappa` is ``nan`` in the undefined case.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

LABELS = ("positive", "neutral", "negative")
POLARITY = {"positive": 1, "neutral": 0, "negative": -1}


@dataclass(frozen=True)
class Agreement:
    n: int
    accuracy: float
    kappa: float
    opposite: int  # pairs called with the opposite polarity (positive vs negative)
    confusion: dict[tuple[str, str], int]  # (reference, predicted) -> count

    def describe(self) -> str:
        cells = ", ".join(f"{r}->{p}: {c}" for (r, p), c in sorted(self.confusion.items()))
        return (f"n={self.n} accuracy={self.accuracy:.3f} kappa={self.kappa:.3f} "
                f"opposite_polarity={self.opposite} [{cells}]")


def agreement(predicted: Sequence[str], reference: Sequence[str]) -> Agreement:
    """Agreement of ``predicted`` labels with ``reference`` labels (same length, same items)."""
    if len(predicted) != len(reference):
        raise ValueError(f"{len(predicted)} predictions for {len(reference)} reference labels")
    if not reference:
        raise ValueError("no labelled items")
    n = len(reference)
    observed = sum(p == r for p, r in zip(predicted, reference, strict=True)) / n
    ref_freq, pred_freq = Counter(reference), Counter(predicted)
    chance = sum(ref_freq[label] * pred_freq[label] for label in ref_freq) / (n * n)
    kappa = float("nan") if chance == 1 else (observed - chance) / (1 - chance)
    opposite = sum(POLARITY.get(p, 0) * POLARITY.get(r, 0) < 0 for p, r in zip(predicted, reference, strict=True))
    return Agreement(
        n=n,
        accuracy=observed,
        kappa=kappa,
        opposite=opposite,
        confusion=dict(Counter(zip(reference, predicted, strict=True))),
    )
