"""Intelligence checks: feeds and items the scan quarantined, and LLM answers that were refused, cut short or
failed the schema (nothing of them was applied)."""

from valuation_platform.defs.intelligence.assets import news_items
from valuation_platform.lib.checks import quarantine_check

news_items_quarantine = quarantine_check(news_items, what="feeds and feed items")
event_analyses_quarantine = quarantine_check("event_analyses",
                                             what="LLM answers (refused, cut short or failing the schema)")
