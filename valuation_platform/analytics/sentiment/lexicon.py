"""An offline finance-news sentiment scorer: a compact Loughran-McDonald-style word list.

Loughran & McDonald (2011) showed general-purpose lexicons misread finance text ("liability",
"tax", "cost" are not negative there). This list follows their idea, kept small and aimed at news
headlines: words whose tone in market news is unambiguous. Ambiguous words ("cut", "fine",
"record", "raise", "lower", "risk") are deliberately left out.

Scoring, documented because downstream thresholds depend on it:

* Text is split into clauses at ``. , ; : ! ?`` and clauses into lower-case word tokens.
* A token counts when it, or a simple inflection stem of it (gains->gain, surged->surge,
  falling->fall, slipped->slip, worries->worry), is in a list.
* Negation: a negator (not, no, never, without, hardly, any "...n't" word, ...) flips the polarity of
  sentiment words among the next three tokens of the same clause ("not strong" is negative,
  "no losses" positive). LM negate only positive words; we flip both, since headlines such as
  "no sign of weakness" are common in news.
* ``score = (P - N) / (P + N + 1)`` with P, N the positive and negative counts after negation. It lies
  in (-1, +1); the +1 keeps one lonely word from claiming certainty (one positive word: 0.5).
* ``label`` is ``positive`` when score >= 0.1, ``negative`` when score <= -0.1, else ``neutral``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


POSITIVE_WORDS: frozenset[str] = _words(
    """
    accelerate achieve achievement advance advantage approval approve attractive beat best
    better boom boost breakthrough bullish buoyant climb confidence confident delight encourage
    encouraging enhance exceed excel excellent exceptional expansion favorable favourable gain
    good great highest impressive improve improvement innovation innovative jump leadership
    lucrative momentum optimism optimistic outpace outperform outperformance outstanding
    positive profit profitability profitable progress rally rebound recover recovery resilience
    resilient reward rewarding rise risen robust rose soar solid stellar strength strengthen
    strong stronger succeed success successful surge surpass tailwind tailwinds thrive tops
    upbeat upgrade upside upswing win winner winning won
    """
)

NEGATIVE_WORDS: frozenset[str] = _words(
    """
    adverse allegation antitrust bad bankrupt bankruptcy bearish breach challenging closure
    collapse concern crash crisis damage decline default deficit delay deteriorate deterioration
    dilution dilutive disappoint disappointing disappointment dispute downgrade downside
    downturn drop erode erosion fail failure fall fallen fear fell fraud halt headwind headwinds
    hurt impair impairment investigation lawsuit layoff layoffs litigation lose loss losses lost
    miss negative penalty pessimism pessimistic plummet plunge poor probe recall recession
    resign resignation sank scandal sell-off selloff shortfall shutdown sink slide slip slowdown
    slump struggle subpoena sunk suspend suspension terminate termination threat tumble turmoil
    underperform unprofitable violation warn warning weak weaken weaker weakness worry worse
    worst write-down writedown
    """
)

NEGATORS: frozenset[str] = _words("not no never none neither nor nobody nothing without hardly barely cannot")
NEGATION_SCOPE = 3
LABEL_THRESHOLD = 0.1

_CLAUSE_SPLIT = re.compile(r"[.,;:!?]+")
_TOKEN = re.compile(r"[a-z]+(?:[-'][a-z]+)*")


@dataclass(frozen=True)
class LexiconScore:
    score: float  # in (-1, +1)
    label: str  # positive | negative | neutral
    positive: int  # counts after negation
    negative: int


def _candidates(token: str) -> list[str]:
    """The token and the stems a regular English inflection could have come from."""
    out = [token]
    if token.endswith(("ies", "ied")):
        out.append(token[:-3] + "y")
    if token.endswith("es"):
        out.append(token[:-2])
    if token.endswith("s"):
        out.append(token[:-1])
    if token.endswith("ed"):
        out += [token[:-1], token[:-2]]
        if len(token) > 4 and token[-3] == token[-4]:  # slipped -> slip
            out.append(token[:-3])
    if token.endswith("ing"):
        out += [token[:-3], token[:-3] + "e"]
        if len(token) > 5 and token[-4] == token[-5]:  # slipping -> slip
            out.append(token[:-4])
    if token.endswith("ly"):
        out.append(token[:-2])
    return out


def word_polarity(token: str) -> int:
    """+1, -1 or 0 for one lower-case token."""
    for candidate in _candidates(token):
        if candidate in POSITIVE_WORDS:
            return 1
        if candidate in NEGATIVE_WORDS:
            return -1
    return 0


def _is_negator(token: str) -> bool:
    return token in NEGATORS or token.endswith("n't")


def lexicon_score(text: str | None) -> LexiconScore:
    """Score one text (an article's title plus description)."""
    positive = negative = 0
    for clause in _CLAUSE_SPLIT.split((text or "").lower().replace("\u2019", "'")):
        negate_left = 0
        for token in _TOKEN.findall(clause):
            if _is_negator(token):
                negate_left = NEGATION_SCOPE
                continue
            polarity = word_polarity(token)
            if negate_left:
                polarity = -polarity
                negate_left -= 1
            if polarity > 0:
                positive += 1
            elif polarity < 0:
                negative += 1
    score = (positive - negative) / (positive + negative + 1)
    if score >= LABEL_THRESHOLD:
        label = "positive"
    elif score <= -LABEL_THRESHOLD:
        label = "negative"
    else:
        label = "neutral"
    return LexiconScore(score=score, label=label, positive=positive, negative=negative)
