"""Sample feeds for the news scan: RBI, SEBI and PIB press releases and three business-news RSS feeds, at the
default feeds' URL paths in a mirror.

The items follow the publishers' real RSS 2.0 layouts (channel title/link/description/language, items with
title, link, description, guid, pubDate in RFC 822 with +0530; news descriptions as HTML in CDATA with an
image tag, as Indian news sites serve them) and their wording: an MPC rate decision, a monetary penalty, draft
directions, SEBI board decisions, Cabinet approvals, market reports naming listed companies. One wire story
appears on two sites (one event after deduplication). Company filings as NSE's corporate-announcements API
answers them (JSON, the real field layout). With faults, one feed is cut mid-document (quarantined whole), one
item has no link and one filing no attachment (each quarantined alone).
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from valuation_platform.sources.http import mirror_relpath
from valuation_platform.sources.newsfeeds.feeds import DEFAULT_FEEDS, Feed

IST = ZoneInfo("Asia/Kolkata")
WIRE = ("RBI cuts repo rate by 25 bps to 5.25%, second cut this year",
        "The Reserve Bank of India on Friday cut the repo rate by 25 basis points to 5.25 per cent, its second "
        "reduction this year, as retail inflation stayed well below the 4 per cent target. Governor said growth "
        "remained resilient but global trade uncertainty posed risks to exports.")


@dataclass(frozen=True)
class Item:
    title: str
    description: str
    path: str  # the link's path on the publisher's site
    hour: float  # IST hour of the day it was published
    days_before: int = 0  # days before the as-of date
    html: bool = False  # description as HTML in CDATA (news sites)
    no_link: bool = False


RBI = (
    Item("RBI reduces policy repo rate by 25 basis points to 5.25 per cent",
         "On the basis of an assessment of the current and evolving macroeconomic situation, the Monetary Policy "
         "Committee (MPC) at its meeting today decided to reduce the policy repo rate under the liquidity "
         "adjustment facility (LAF) by 25 basis points to 5.25 per cent with immediate effect. Consequently, the "
         "standing deposit facility (SDF) rate shall stand adjusted to 5.00 per cent and the marginal standing "
         "facility (MSF) rate and the Bank Rate to 5.50 per cent. CPI inflation for 2026-27 is projected at 2.6 "
         "per cent, with risks evenly balanced.", "Scripts/BS_PressReleaseDisplay.aspx?prid=61842", 10.0, 1),
    Item("Draft Reserve Bank of India (Lending against Gold Collateral) Directions, 2026",
         "The Reserve Bank has today placed on its website the draft Directions on lending against gold "
         "collateral for public consultation. The draft harmonises loan-to-value limits for gold loans, "
         "raising the ceiling for loans up to Rs 2.5 lakh from 75 per cent to 85 per cent, and the "
         "valuation of collateral and auction procedures across regulated entities. Comments are invited by "
         "December 10, 2026.", "Scripts/BS_PressReleaseDisplay.aspx?prid=61851", 17.5, 3),
    Item("RBI imposes monetary penalty on State Bank of India",
         "The Reserve Bank of India (RBI) has, by an order dated November 14, 2026, imposed a monetary penalty of "
         "Rs 1.72 crore on State Bank of India for non-compliance with certain directions issued by RBI on "
         "'Loans and Advances - Statutory and Other Restrictions'.", "Scripts/BS_PressReleaseDisplay.aspx?prid=61860",
         18.0, 2),
    Item("Money Market Operations as on November 19, 2026",
         "Money market volumes, weighted average rates and the Reserve Bank's liquidity operations for the day.",
         "Scripts/BS_PressReleaseDisplay.aspx?prid=61866", 9.0, 0),
)
SEBI = (
    Item("SEBI tightens framework for equity index derivatives to protect investors",
         "SEBI has revised the framework for equity index derivatives: the minimum contract size is raised, "
         "upfront collection of option premium is required and intraday monitoring of position limits is "
         "introduced, to curb excessive speculation by individual investors.",
         "media-and-notifications/press-releases/nov-2026/sebi-tightens-framework-for-equity-index-derivatives_98231.html",
         19.0, 4),
    Item("SEBI Board approves stricter eligibility for SME IPOs",
         "The SEBI Board approved stricter eligibility criteria for SME IPOs on the SME platform of stock "
         "exchanges, including an operating profit of Rs 1 crore in two of the last three financial years and a "
         "cap on offer-for-sale at 20 per cent of the issue size.",
         "media-and-notifications/press-releases/nov-2026/sebi-board-meeting_98240.html", 20.0, 2),
    Item("SEBI issues consultation paper on ease of doing business for mutual funds",
         "SEBI has issued a consultation paper proposing to simplify the disclosure requirements for mutual fund "
         "schemes and to rationalise the expense ratio slabs.",
         "media-and-notifications/press-releases/nov-2026/consultation-paper-mutual-funds_98247.html", 16.0, 0),
)
PIB = (
    Item("Cabinet approves extension of the Production Linked Incentive Scheme for Pharmaceuticals",
         "The Union Cabinet chaired by the Prime Minister has approved the extension of the Production Linked "
         "Incentive scheme for pharmaceuticals by two years with an outlay of Rs 15,000 crore, to boost domestic "
         "manufacturing of high-value drugs and reduce import dependence on APIs.",
         "PressReleasePage.aspx?PRID=2190412", 15.0, 3),
    Item("GST Council recommends rationalisation of rates on consumer durables",
         "The GST Council, in its meeting chaired by the Union Finance Minister, recommended that the GST rate on "
         "air conditioners, televisions and dishwashers be reduced from 28 per cent to 18 per cent.",
         "PressReleasePage.aspx?PRID=2190433", 19.5, 1),
    Item("Government notifies guidelines for India Semiconductor Mission 2.0",
         "The Ministry of Electronics and Information Technology has notified guidelines under the India "
         "Semiconductor Mission 2.0 raising fiscal support for semiconductor fabs, display fabs and ATMP/OSAT "
         "units from 50 per cent to 70 per cent of project cost.", "PressReleasePage.aspx?PRID=2190450", 12.0, 0),
)
ECONOMIC_TIMES = (
    Item(*WIRE, "markets/stocks/news/rbi-cuts-repo-rate-by-25-bps/articleshow/125410221.cms", 10.5, 1, html=True),
    Item("Reliance Industries shares rise 3% after Jio Platforms files draft IPO papers",
         "Shares of Reliance Industries rose 3 per cent to Rs 1,612 after Jio Platforms filed its draft red "
         "herring prospectus, which analysts said could unlock value for the conglomerate.",
         "markets/stocks/news/reliance-industries-shares-jio-ipo/articleshow/125402310.cms", 11.0, 4, html=True),
    Item("TCS, Infosys lead IT rally as US clients step up tech spending",
         "Tata Consultancy Services and Infosys rose up to 4 per cent as US banks signalled higher technology "
         "budgets for 2027; volatility in deal ramp-ups remains a risk, brokerages said.",
         "markets/stocks/news/tcs-infosys-lead-it-rally/articleshow/125398877.cms", 14.0, 2, html=True),
    Item("Gold loan NBFCs rally after RBI draft norms on lending against gold",
         "Shares of gold loan financiers gained up to 6 per cent after the Reserve Bank's draft directions on "
         "gold loans proposed uniform loan-to-value limits across lenders.",
         "markets/stocks/news/gold-loan-nbfcs-rally/articleshow/125415530.cms", 12.5, 2, html=True),
)
THE_HINDU = (
    Item(*WIRE, "business/Economy/rbi-cuts-repo-rate-by-25-bps/article70310234.ece", 10.7, 1, html=True),
    Item("HDFC Bank Q2 net profit rises 11% as loan growth picks up",
         "HDFC Bank reported an 11 per cent rise in standalone net profit to Rs 18,640 crore for the September "
         "quarter; net interest margin eased to 3.4 per cent on deposit cost pressure.",
         "business/markets/hdfc-bank-q2-results/article70298812.ece", 18.0, 5, html=True),
    Item("Larsen & Toubro bags 'ultra-mega' order in the Middle East",
         "Larsen & Toubro said its power transmission business won an order worth over Rs 15,000 crore from a "
         "Middle East utility.", "business/larsen-toubro-ultra-mega-order/article70305521.ece", 9.5, 3, html=True),
    Item("Steel makers gain as safeguard duty on imports is extended",
         "Tata Steel and other steel makers gained after the government extended the safeguard duty on flat "
         "steel imports by three years.", "business/steel-safeguard-duty/article70311005.ece", 13.0, 0, html=True,
         no_link=True),
)
LIVEMINT = (
    Item("Maruti Suzuki November sales rise 8% on festive demand",
         "Maruti Suzuki India reported an 8 per cent rise in total sales for November, helped by festive demand "
         "and lower GST on small cars.", "auto-news/maruti-suzuki-november-sales-11764301234.html", 11.0, 0,
         html=True),
    Item("Sun Pharmaceutical shares climb after USFDA clears Halol plant",
         "Sun Pharmaceutical Industries rose 2.5 per cent after the US drug regulator classified its Halol "
         "facility as voluntary action indicated.", "market/stock-market-news/sun-pharma-halol-11764305678.html",
         15.0, 1, html=True),
)

# NSE corporate announcements (company filings): (symbol, company, industry, subject, abstract, hour, days before)
FILINGS = (
    ("RELIANCE", "Reliance Industries Limited", "Refineries", "Board Meeting Intimation",
     "Reliance Industries Limited has informed the Exchange about Board Meeting to be held on {next} inter-alia, "
     "to consider and approve the Financial Results for the quarter ended December 31, 2026.", 18.2, 1),
    ("TCS", "Tata Consultancy Services Limited", "IT - Software", "Acquisition",
     "Tata Consultancy Services Limited has informed the Exchange regarding the acquisition of a 100 per cent "
     "stake in a Nordic digital engineering firm for a cash consideration of EUR 110 million.", 19.4, 2),
    ("HDFCBANK", "HDFC Bank Limited", "Bank - Private", "Credit Rating",
     "HDFC Bank Limited has informed the Exchange that CRISIL has reaffirmed its rating on the Bank's "
     "long-term bonds at AAA with a stable outlook.", 16.8, 3),
    ("BAJFINANCE", "Bajaj Finance Limited", "Finance - NBFC", "Updates",
     "Bajaj Finance Limited has informed the Exchange that its assets under management grew 26 per cent "
     "year on year; gross stage 3 assets were stable amid pressure on unsecured consumer loans.", 20.1, 0),
)


def announcements(as_of: date, *, faults: bool) -> bytes:
    """The corporate-announcements API's JSON array, in its real field layout; with faults, the last filing
    lacks its attachment (quarantined alone)."""
    records = []
    for n, (symbol, name, industry, subject, abstract, hour, days_before) in enumerate(FILINGS):
        day = as_of - timedelta(days=days_before)
        moment = datetime.combine(day, time(int(hour), int(round((hour % 1) * 60))))
        stamp = moment.strftime("%d%m%Y%H%M%S")
        records.append({
            "symbol": symbol, "desc": subject, "dt": stamp,
            "attchmntFile": None if faults and n == len(FILINGS) - 1 else
            f"https://nsearchives.nseindia.com/corporate/{symbol}_{stamp}_{subject.replace(' ', '')}.pdf",
            "sm_name": name, "sm_isin": f"INE{zlib.crc32(symbol.encode()) % 10**6:06d}01", "an_dt":
            moment.strftime("%d-%b-%Y %H:%M:%S"), "sort_date": moment.strftime("%Y-%m-%d %H:%M:%S"),
            "seq_id": str(105_700_000 + zlib.crc32(stamp.encode()) % 100_000), "smIndustry": industry,
            "orgid": None, "attchmntText": abstract.format(next=(as_of + timedelta(days=57)).strftime("%d-%b-%Y")),
            "bflag": None, "old_new": None, "csvName": None,
            "exchdisstime": (moment + timedelta(seconds=6)).strftime("%d-%b-%Y %H:%M:%S"), "difference": "00:00:06",
        })
    return json.dumps(records, indent=2).encode()


CHANNELS = {
    "rbi_press_releases": ("Reserve Bank of India - Press Releases", "https://rbi.org.in/", RBI),
    "sebi": ("SEBI - Press Releases", "https://www.sebi.gov.in/", SEBI),
    "pib": ("Press Information Bureau - English Releases", "https://pib.gov.in/", PIB),
    "economic_times_markets": ("Markets-The Economic Times", "https://economictimes.indiatimes.com/",
                               ECONOMIC_TIMES),
    "the_hindu_business": ("Business News | The Hindu", "https://www.thehindu.com/", THE_HINDU),
    "livemint_markets": ("Markets - Livemint", "https://www.livemint.com/", LIVEMINT),
}


def _stamp(as_of: date, item: Item) -> str:
    day = as_of - timedelta(days=item.days_before)
    hours, minutes = int(item.hour), int(round((item.hour % 1) * 60))
    moment = datetime.combine(day, time(hours, minutes), IST)
    return moment.strftime("%a, %d %b %Y %H:%M:%S +0530")


def rss(title: str, site: str, items: tuple[Item, ...], as_of: date, *, faults: bool) -> bytes:
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel>',
           f"<title>{escape(title)}</title><link>{escape(site)}</link>",
           f"<description>{escape(title)}</description><language>en-in</language>",
           f"<lastBuildDate>{_stamp(as_of, Item('', '', '', 21.0))}</lastBuildDate>"]
    for item in items:
        link = site + item.path
        if item.html:
            description = f'<![CDATA[<img src="{site}photo/{zlib.crc32(item.path.encode()) % 10**8}.cms" /> {item.description}]]>'
        else:
            description = escape(item.description)
        out.append("<item>")
        out.append(f"<title>{escape(item.title)}</title>")
        if not (faults and item.no_link):
            out.append(f"<link>{escape(link)}</link><guid isPermaLink=\"true\">{escape(link)}</guid>")
        out.append(f"<description>{description}</description><pubDate>{_stamp(as_of, item)}</pubDate></item>")
    out.append("</channel></rss>")
    return "\n".join(out).encode()


def write_intelligence_data(root: Path, as_of: date, *, feeds: tuple[Feed, ...] = DEFAULT_FEEDS,
                            with_faults: bool = True) -> dict[str, int]:
    """Each default feed's document at its mirror path; returns items per feed. With faults the Livemint feed
    is cut mid-document, The Hindu's steel item loses its link and the last filing its attachment."""
    written: dict[str, int] = {}
    for feed in feeds:
        if feed.name == "nse_announcements":
            path = root / mirror_relpath(feed.url)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(announcements(as_of, faults=with_faults))
            written[feed.name] = len(FILINGS)
            continue
        title, site, items = CHANNELS[feed.name]
        body = rss(title, site, items, as_of, faults=with_faults)
        if with_faults and feed.name == "livemint_markets":
            body = body[: len(body) * 2 // 3]  # a dropped connection saved as the feed
        path = root / mirror_relpath(feed.url)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
        written[feed.name] = len(items)
    return written
