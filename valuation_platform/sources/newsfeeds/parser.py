"""RSS 2.0 and Atom 1.0 feeds into typed items, with the standard library's XML parser.

No capture of the RBI, SEBI or PIB feeds is kept with the project: the layouts are the RSS 2.0 specification
(``rss/channel/item`` with ``title``, ``link``, ``description``, ``guid``, ``pubDate`` in RFC 822 and
``category``) as those sites and the business-news publishers serve it, and RFC 4287 for Atom (``feed/entry``
with ``title``, ``link[@rel=alternate]/@href``, ``id``, ``summary``/``content``, ``published``/``updated``,
``category/@term``). Descriptions arrive as HTML (often in CDATA): tags are stripped and entities decoded.

A document that is not XML or not a feed is rejected as a whole (:class:`SourceError` naming it); an item
without a title or a link, or with a date that cannot be read, is rejected alone (field ``items[i].<tag>``)
and the rest of the feed is kept. Naive timestamps (some Indian government feeds print none) are read in
``default_tz``: every default publisher is Indian, so Asia/Kolkata.
"""

from __future__ import annotations

import email.utils
import hashlib
import html
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from valuation_platform.sources.errors import SourceError
from valuation_platform.sources.newsfeeds.feeds import SOURCE

ATOM = "{http://www.w3.org/2005/Atom}"
IST = ZoneInfo("Asia/Kolkata")
_TAGS = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class FeedItem:
    url: str
    guid: str | None
    title: str
    summary: str | None
    published_at: datetime | None
    categories: tuple[str, ...]

    @property
    def content_hash(self) -> str:
        return content_hash(self.title, self.summary)


@dataclass
class ParsedFeed:
    format: str  # "rss" / "atom"
    title: str | None
    items: list[FeedItem] = field(default_factory=list)
    errors: list[SourceError] = field(default_factory=list)


def content_hash(title: str, summary: str | None) -> str:
    """sha256 of the case- and whitespace-normalised title and summary: one story syndicated under two URLs
    (a wire item on two papers, a press release re-posted) hashes the same."""
    text = f"{normalise(title)}\n{normalise(summary or '')}".lower()
    return hashlib.sha256(text.encode()).hexdigest()


def normalise(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def plain_text(markup: str | None) -> str | None:
    """HTML of a description as plain text (block tags become spaces); None when nothing is left."""
    if markup is None:
        return None
    text = normalise(html.unescape(_TAGS.sub(" ", markup)))
    return text or None


def parse_datetime(value: str, *, default_tz: ZoneInfo = IST) -> datetime:
    """RFC 822 (RSS pubDate) or ISO 8601 (Atom); raises ValueError naming the value."""
    value = value.strip()
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"date {value!r} is neither RFC 822 nor ISO 8601") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=default_tz)


def parse_feed(body: bytes, *, document: str, default_tz: ZoneInfo = IST) -> ParsedFeed:
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise SourceError(SOURCE, document, f"not well-formed XML: {exc}") from exc
    if root.tag == "rss":
        channel = root.find("channel")
        if channel is None:
            raise SourceError(SOURCE, document, "RSS document without a channel", field="rss/channel")
        parsed = ParsedFeed("rss", _text(channel.find("title")))
        for i, item in enumerate(channel.findall("item")):
            _keep(parsed, document, i, lambda it=item: _rss_item(it, default_tz))
        return parsed
    if root.tag == f"{ATOM}feed":
        parsed = ParsedFeed("atom", _text(root.find(f"{ATOM}title")))
        for i, entry in enumerate(root.findall(f"{ATOM}entry")):
            _keep(parsed, document, i, lambda e=entry: _atom_entry(e, default_tz))
        return parsed
    raise SourceError(SOURCE, document, f"root element {root.tag!r} is neither RSS 2.0 <rss> nor Atom <feed>")


class _ItemError(ValueError):
    def __init__(self, tag: str, message: str) -> None:
        super().__init__(message)
        self.tag = tag


def _keep(parsed: ParsedFeed, document: str, index: int, read) -> None:  # type: ignore[no-untyped-def]
    try:
        parsed.items.append(read())
    except _ItemError as exc:
        parsed.errors.append(SourceError(SOURCE, document, str(exc), field=f"items[{index}].{exc.tag}"))


def _text(node: ET.Element | None) -> str | None:
    if node is None:
        return None
    text = normalise("".join(node.itertext()))
    return text or None


def _date(value: str | None, tag: str, tz: ZoneInfo) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_datetime(value, default_tz=tz)
    except ValueError as exc:
        raise _ItemError(tag, str(exc)) from None


def _required_title(title: str | None) -> str:
    if not title:
        raise _ItemError("title", "item has no title")
    return title


def _rss_item(item: ET.Element, tz: ZoneInfo) -> FeedItem:
    title = _required_title(plain_text(_text(item.find("title"))))
    guid = _text(item.find("guid"))
    link = _text(item.find("link"))
    permalink = item.find("guid") is not None and item.find("guid").get("isPermaLink", "true") == "true"  # type: ignore[union-attr]
    url = link or (guid if permalink else None)
    if not url:
        raise _ItemError("link", "item has neither a link nor a permalink guid")
    return FeedItem(
        url=url, guid=guid, title=title,
        summary=plain_text(_text(item.find("description"))),
        published_at=_date(_text(item.find("pubDate")), "pubDate", tz),
        categories=tuple(c for c in (_text(n) for n in item.findall("category")) if c),
    )


def _atom_entry(entry: ET.Element, tz: ZoneInfo) -> FeedItem:
    title = _required_title(plain_text(_text(entry.find(f"{ATOM}title"))))
    links = entry.findall(f"{ATOM}link")
    alternate = [link.get("href") for link in links if link.get("rel", "alternate") == "alternate" and link.get("href")]
    entry_id = _text(entry.find(f"{ATOM}id"))
    url = alternate[0] if alternate else None
    if not url:
        raise _ItemError("link", "entry has no alternate link")
    summary = _text(entry.find(f"{ATOM}summary")) or _text(entry.find(f"{ATOM}content"))
    stamp = _text(entry.find(f"{ATOM}published")) or _text(entry.find(f"{ATOM}updated"))
    return FeedItem(
        url=url, guid=entry_id, title=title, summary=plain_text(summary),
        published_at=_date(stamp, "published", tz),
        categories=tuple(c.get("term") for c in entry.findall(f"{ATOM}category") if c.get("term")),
    )
