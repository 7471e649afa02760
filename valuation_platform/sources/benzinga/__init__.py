"""Benzinga calendar API: analyst ratings (``/api/v2.1/calendar/ratings``)."""
