"""OpenAI-compatible chat completions with structured outputs (any base URL: OpenAI, a gateway, a fake)."""
