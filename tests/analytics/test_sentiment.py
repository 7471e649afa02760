"""News sentiment: provider labels, the offline lexicon (with negation), and FinBERT's local-only loader."""

from __future__ import annotations

import json
import sys
import types

import pytest

from valuation_platform.analytics.sentiment import (
    FinBertUnavailable,
    lexicon_score,
    load_finbert,
    provider_score,
    score_news,
)
from valuation_platform.analytics.sentiment.finbert import FINBERT_ENV, FinBertScore


@pytest.mark.parametrize(
    ("text", "score", "label"),
    [
        ("Apple beats estimates and raises guidance", 0.5, "positive"),  # P=1: 1/2
        (
            "Shares plunged after the company missed estimates and warned of weak demand",
            -0.8,
            "negative",
        ),  # N=4
        ("Nvidia to present at investor conference", 0.0, "neutral"),
        ("Company reports no losses this quarter", 0.5, "positive"),  # negated negative
        ("Outlook is not strong", -0.5, "negative"),  # negated positive
        ("Revenue isn't improving", -0.5, "negative"),  # n't negator, inflected word
        ("Strong quarter, but margins weaken and guidance disappoints", -0.25, "negative"),  # P1 N2
        (
            "Not bad. Profit surged",
            0.75,
            "positive",
        ),  # not bad, profit, surged: P3 (clause ends the negation)
        ("Not. Bad", -0.5, "negative"),  # negation does not cross the full stop
        ("Gains offset losses", 0.0, "neutral"),
        ("", 0.0, "neutral"),
    ],
)
def test_lexicon_scores(text, score, label):
    result = lexicon_score(text)
    assert result.score == pytest.approx(score)
    assert result.label == label
    assert -1 < result.score < 1


def test_lexicon_negation_scope_is_three_words():
    assert lexicon_score("not expected to be strong").positive == 1  # 4 words later: out of scope
    assert lexicon_score("not expected strong").negative == 1


def test_provider_labels_map_to_fixed_scores():
    assert provider_score("positive") == 1.0
    assert provider_score("Negative ") == -1.0
    assert provider_score("neutral") == 0.0
    assert provider_score("mixed") is None
    assert provider_score(None) is None


def test_score_news_prefers_provider_then_lexicon():
    rows = [
        {
            "article_id": "a",
            "ticker": "X",
            "title": "X shares tumble",
            "description": None,
            "provider_sentiment": "positive",
        },
        {
            "article_id": "b",
            "ticker": "Y",
            "title": "Y shares tumble",
            "description": "Weak outlook.",
            "provider_sentiment": None,
        },
        {
            "article_id": "c",
            "ticker": "Z",
            "title": "Z wins contract",
            "description": None,
            "provider_sentiment": "mixed",
        },
    ]
    out = score_news(rows)
    assert [(r["scorer"], r["sentiment_label"], r["sentiment_score"]) for r in out] == [
        ("provider", "positive", 1.0),
        ("lexicon", "negative", pytest.approx(-2 / 3)),
        ("lexicon", "positive", 0.5),
    ]
    assert "scorer" not in rows[0]  # inputs are not modified


def test_score_news_on_real_polygon_articles(shared_fixtures):
    payload = json.loads((shared_fixtures / "polygon" / "news_NFLX.mock.json").read_bytes())
    article = payload["results"][0]
    rows = [{"title": article["title"], "description": article["description"], "provider_sentiment": None}]
    (scored,) = score_news(rows)
    # the only list word is "falling" in "incomes are falling at a record 10.9 rate": N=1 -> -1/2
    assert scored["scorer"] == "lexicon"
    assert scored["sentiment_label"] == "negative"
    assert scored["sentiment_score"] == pytest.approx(-0.5)


class _FakeScorer:
    def __init__(self) -> None:
        self.seen: list[str] = []

    def score(self, texts):
        self.seen.extend(texts)
        return [FinBertScore(score=0.25, label="positive") for _ in texts]


def test_score_news_uses_a_loaded_finbert_for_rows_without_provider_label():
    scorer = _FakeScorer()
    rows = [
        {"title": "A", "description": "first", "provider_sentiment": "negative"},
        {"title": "B", "description": "second", "provider_sentiment": None},
    ]
    out = score_news(rows, finbert=scorer)  # type: ignore[arg-type]
    assert [r["scorer"] for r in out] == ["provider", "finbert"]
    assert out[1]["sentiment_score"] == 0.25
    assert scorer.seen == ["B. second"]


# -- FinBERT: local files only ----------------------------------------------------------------------
def test_finbert_without_a_path_says_how_to_configure(monkeypatch):
    monkeypatch.delenv(FINBERT_ENV, raising=False)
    with pytest.raises(FinBertUnavailable, match="VP_FINBERT_PATH.*never downloaded"):
        load_finbert()


def test_finbert_missing_directory(monkeypatch, tmp_path):
    monkeypatch.setenv(FINBERT_ENV, str(tmp_path / "nope"))
    with pytest.raises(FinBertUnavailable, match="does not exist"):
        load_finbert()


def test_finbert_directory_without_config(tmp_path):
    with pytest.raises(FinBertUnavailable, match="no config.json"):
        load_finbert(tmp_path)


def test_finbert_without_the_extra_installed(tmp_path, monkeypatch):
    (tmp_path / "config.json").write_text("{}")
    monkeypatch.setitem(sys.modules, "transformers", None)  # import fails, as without the extra
    with pytest.raises(FinBertUnavailable, match=r"pip install 'valuation_platform\[finbert\]'"):
        load_finbert(tmp_path)


def test_finbert_loads_with_local_files_only(tmp_path, monkeypatch):
    """With transformers present, both loads get the local path and ``local_files_only=True``."""
    (tmp_path / "config.json").write_text("{}")
    calls: list[tuple[str, str, dict]] = []

    class _Model:
        config = types.SimpleNamespace(id2label={0: "positive", 1: "negative", 2: "neutral"})

        def eval(self):
            calls.append(("eval", "", {}))

    def loader(kind, result):
        def from_pretrained(path, **kwargs):
            calls.append((kind, path, kwargs))
            return result

        return types.SimpleNamespace(from_pretrained=from_pretrained)

    fake = types.ModuleType("transformers")
    fake.AutoTokenizer = loader("tokenizer", object())
    fake.AutoModelForSequenceClassification = loader("model", _Model())
    monkeypatch.setitem(sys.modules, "transformers", fake)
    scorer = load_finbert(tmp_path)
    assert calls[:2] == [
        ("tokenizer", str(tmp_path), {"local_files_only": True}),
        ("model", str(tmp_path), {"local_files_only": True}),
    ]
    assert scorer.labels == {0: "positive", 1: "negative", 2: "neutral"}
