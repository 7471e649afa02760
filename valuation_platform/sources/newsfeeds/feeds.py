"""Which feeds the news scan reads: ``VP_NEWS_FEEDS`` (comma-separated ``name=url`` pairs) or the default list
of the publishers' real public endpoints.

The publisher of a feed decides whether its items are policy releases (RBI, SEBI, PIB), company filings (NSE)
or business news; it is read from the host, so a configured feed of a regulator's other RSS endpoint counts as that regulator's.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from valuation_platform.sources.errors import SourceError

SOURCE = "newsfeeds"

# host suffix -> publisher; anything else is business news. NSE's are company filings (corporate announcements).
REGULATOR_HOSTS = {"rbi.org.in": "RBI", "sebi.gov.in": "SEBI", "pib.gov.in": "PIB"}
PUBLISHER_HOSTS = {**REGULATOR_HOSTS, "nseindia.com": "NSE"}
POLICY_PUBLISHERS = frozenset(REGULATOR_HOSTS.values())


@dataclass(frozen=True)
class Feed:
    name: str
    url: str

    @property
    def publisher(self) -> str:
        host = (urlsplit(self.url).hostname or "").lower()
        for suffix, publisher in PUBLISHER_HOSTS.items():
            if host == suffix or host.endswith("." + suffix):
                return publisher
        return "NEWS"

    @property
    def is_policy(self) -> bool:
        return self.publisher in POLICY_PUBLISHERS


DEFAULT_FEEDS: tuple[Feed, ...] = (
    Feed("rbi_press_releases", "https://rbi.org.in/pressreleases_rss.xml"),
    Feed("sebi", "https://www.sebi.gov.in/sebirss.xml"),
    # PIB English releases, all ministries (Regid=3: national); query keys sorted as mirrors store them
    Feed("pib", "https://pib.gov.in/RssMain.aspx?Lang=1&ModId=6&Regid=3"),
    Feed("economic_times_markets", "https://economictimes.indiatimes.com/markets/rssfeeds/1977021501.cms"),
    Feed("the_hindu_business", "https://www.thehindu.com/business/feeder/default.rss"),
    Feed("livemint_markets", "https://www.livemint.com/rss/markets"),
    # company filings: NSE's corporate-announcements API (JSON, read by sources/nse/announcements.py)
    Feed("nse_announcements", "https://www.nseindia.com/api/corporate-announcements?index=equities"),
)


def configured_feeds(setting: str | None) -> list[Feed]:
    """``VP_NEWS_FEEDS`` parsed; the default list when it is unset or blank. A malformed pair is an error
    naming the pair (a typo must not silently drop a feed)."""
    if not setting or not setting.strip():
        return list(DEFAULT_FEEDS)
    feeds: list[Feed] = []
    for position, pair in enumerate(p.strip() for p in setting.split(",")):
        if not pair:
            continue
        name, sep, url = pair.partition("=")
        name, url = name.strip(), url.strip()
        scheme = urlsplit(url).scheme
        if not sep or not name or scheme not in ("http", "https"):
            raise SourceError(SOURCE, "VP_NEWS_FEEDS", f"pair {position + 1} {pair!r} is not name=http(s)://url",
                              field=f"[{position}]")
        feeds.append(Feed(name, url))
    names = [f.name for f in feeds]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise SourceError(SOURCE, "VP_NEWS_FEEDS", f"feed names repeat: {', '.join(repeated)}")
    return feeds
