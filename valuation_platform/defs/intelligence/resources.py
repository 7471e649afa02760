"""The intelligence settings: the feeds, the LLM (key, base URL, model) and the bounds on driver moves. Every
value arrives through dg.EnvVar, resolved at run time; without OPENAI_API_KEY the rule-based analyzer answers."""

import dagster as dg

from valuation_platform.analytics.intelligence.bounds import Bounds
from valuation_platform.defs.resources import _env
from valuation_platform.sources.llm.client import StructuredChat
from valuation_platform.sources.newsfeeds.feeds import Feed, configured_feeds

DEFAULT_MODEL = "gpt-4o-mini"
DEFAULT_BOUNDS = Bounds()


def _float(value: str | None, default: float) -> float:
    return float(value) if value and value.strip() else default


class IntelligenceResource(dg.ConfigurableResource):
    news_feeds: str | None = None  # VP_NEWS_FEEDS: name=url,name=url (unset: the default public feeds)
    openai_api_key: str | None = None  # OPENAI_API_KEY (unset: rule-based analyzer)
    openai_base_url: str | None = None  # OPENAI_BASE_URL (unset: api.openai.com)
    llm_model: str | None = None  # VP_LLM_MODEL (unset: gpt-4o-mini)
    llm_timeout: str | None = None  # VP_LLM_TIMEOUT seconds per call (unset: 60)
    max_move: str | None = None  # VP_AGENT_MAX_MOVE: relative bound on a non-percent driver's move (0.10)
    max_move_points: str | None = None  # VP_AGENT_MAX_MOVE_POINTS: bound on a percent driver's move (0.25)
    min_confidence: str | None = None  # VP_AGENT_MIN_CONFIDENCE (0.70)

    def feeds(self) -> list[Feed]:
        return configured_feeds(self.news_feeds)

    def bounds(self) -> Bounds:
        return Bounds(max_relative=_float(self.max_move, DEFAULT_BOUNDS.max_relative),
                      max_points=_float(self.max_move_points, DEFAULT_BOUNDS.max_points),
                      min_confidence=_float(self.min_confidence, DEFAULT_BOUNDS.min_confidence))

    def chat(self) -> StructuredChat | None:
        if not self.openai_api_key:
            return None
        return StructuredChat(api_key=self.openai_api_key, model=self.llm_model or DEFAULT_MODEL,
                              base_url=self.openai_base_url or None, timeout=_float(self.llm_timeout, 60.0))


@dg.definitions
def intelligence_resources() -> dg.Definitions:
    names = {"news_feeds": "VP_NEWS_FEEDS", "openai_api_key": "OPENAI_API_KEY", "openai_base_url": "OPENAI_BASE_URL",
             "llm_model": "VP_LLM_MODEL", "llm_timeout": "VP_LLM_TIMEOUT", "max_move": "VP_AGENT_MAX_MOVE",
             "max_move_points": "VP_AGENT_MAX_MOVE_POINTS", "min_confidence": "VP_AGENT_MIN_CONFIDENCE"}
    return dg.Definitions(resources={"intelligence": IntelligenceResource(
        **{field: _env(variable) for field, variable in names.items()})})
