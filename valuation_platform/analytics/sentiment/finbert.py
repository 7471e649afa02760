"""Optional FinBERT scorer (ProsusAI/finbert), loaded ONLY from a local directory.

The platform never downloads model weights: the directory comes from the ``model_path`` argument
or the ``VP_FINBERT_PATH`` environment variable, and both the tokenizer and the model are loaded
with ``local_files_only=True``. ``transformers`` and ``torch`` come from the ``finbert`` extra
(``pip install 'valuation_platform[finbert]'``) and are imported only when a scorer is loaded, so
the rest of the platform never pays for them. Any missing piece raises :class:`FinBertUnavailable`
saying what to do; callers fall back to the lexicon scorer.

Score: ``P(positive) - P(negative)`` from the softmax over FinBERT's three classes, in [-1, +1];
label: the most probable class (positive / negative / neutral).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FINBERT_ENV = "VP_FINBERT_PATH"
MODEL_ID = "ProsusAI/finbert"


class FinBertUnavailable(RuntimeError):
    """No usable local FinBERT: missing path, incomplete directory, or the extra not installed."""


@dataclass(frozen=True)
class FinBertScore:
    score: float
    label: str


def resolve_model_path(model_path: str | Path | None = None) -> Path:
    """The local model directory, checked, from the argument or ``VP_FINBERT_PATH``."""
    raw = model_path if model_path is not None else os.environ.get(FINBERT_ENV)
    if not raw:
        raise FinBertUnavailable(
            f"no local FinBERT configured: pass model_path or set {FINBERT_ENV} to a directory holding a "
            f"saved {MODEL_ID} (config.json, tokenizer files, weights); models are never downloaded"
        )
    path = Path(raw).expanduser()
    if not path.is_dir():
        raise FinBertUnavailable(
            f"FinBERT directory {path} does not exist (from {FINBERT_ENV} or model_path)"
        )
    if not (path / "config.json").is_file():
        raise FinBertUnavailable(f"{path} has no config.json: not a saved {MODEL_ID} model directory")
    return path


class FinBertScorer:
    """A loaded FinBERT model; :meth:`score` takes a batch of texts."""

    def __init__(self, tokenizer: Any, model: Any, path: Path) -> None:
        self.tokenizer = tokenizer
        self.model = model
        self.path = path
        id2label = getattr(getattr(model, "config", None), "id2label", None) or {}
        self.labels = {int(i): str(label).lower() for i, label in id2label.items()}
        missing = {"positive", "negative", "neutral"} - set(self.labels.values())
        if missing:
            raise FinBertUnavailable(
                f"model at {path} lacks FinBERT labels {sorted(missing)} in config.id2label"
            )

    def score(self, texts: Sequence[str], batch_size: int = 32) -> list[FinBertScore]:
        import torch  # the finbert extra; present whenever a model could be loaded

        index = {label: i for i, label in self.labels.items()}
        out: list[FinBertScore] = []
        for start in range(0, len(texts), batch_size):
            batch = [t or "" for t in texts[start : start + batch_size]]
            encoded = self.tokenizer(
                batch, padding=True, truncation=True, max_length=512, return_tensors="pt"
            )
            with torch.no_grad():
                probs = torch.softmax(self.model(**encoded).logits, dim=-1).cpu().numpy()
            for row in probs:
                value = float(row[index["positive"]] - row[index["negative"]])
                out.append(FinBertScore(score=value, label=self.labels[int(row.argmax())]))
        return out


def load_finbert(model_path: str | Path | None = None) -> FinBertScorer:
    """Load FinBERT from a local directory; never touches the network."""
    path = resolve_model_path(model_path)
    try:
        from transformers import AutoModelForSequenceClassification, AutoTokenizer
    except ImportError as exc:
        raise FinBertUnavailable(
            "FinBERT needs the optional 'finbert' extra (transformers, torch): "
            "pip install 'valuation_platform[finbert]'"
        ) from exc
    try:
        tokenizer = AutoTokenizer.from_pretrained(str(path), local_files_only=True)
        model = AutoModelForSequenceClassification.from_pretrained(str(path), local_files_only=True)
    except OSError as exc:
        raise FinBertUnavailable(f"could not load FinBERT from {path} without downloading: {exc}") from exc
    model.eval()
    return FinBertScorer(tokenizer, model, path)
