"""Intelligence steps: the news scan (feeds into raw.news_items) and the event analysis (rules or an LLM)."""
