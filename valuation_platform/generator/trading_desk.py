"""Generated trading-desk inputs in the trading landing folder (``<root>/landing/trading``), in the layouts
:mod:`valuation_platform.pipelines.trading.desk_files` documents, built on the sample's NSE bhavcopies.

* ``cards/*.json``: one document per card version, submitted at 10:00 IST on the as-of date (judged on the
  bhavcopy sessions before it): one that passes, one each blocked by liquidity, position size, sector
  exposure and catalyst freshness, one that chases a gap (flagged by its playbook) and its corrected version 2,
  an option strategy (bull put spread), the first card dropped again under another file name (evaluated once)
  and one with an unknown playbook (quarantined).
* ``accounts/accounts.csv`` and ``positions/*.csv``: four desk accounts (one below its buffer) and two books.
* ``transfers/*.csv``: approved transfers that post, one breaking the payer's buffer, one the receiver's loan
  limit, one awaiting approval, a transfer repeated in a later file, and a row with fractions of a paisa
  (quarantined). The statement balances are the opening ones moved by the transfers that post.
* ``fills/fills.csv``: three playbooks' round trips over the three months to the as-of date; the last ten
  results_momentum trades go wrong (the learning loop's drift alert).
* The regime index (NIFTYBEES, Nippon India ETF Nifty 50 BeES) is appended to every bhavcopy of the sample.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from valuation_platform.analytics.trading.treasury import indian_grouping
from valuation_platform.generator.india import india_companies
from valuation_platform.generator.valuation import bhavcopy_file
from valuation_platform.sources.nse.bhavcopy import parse_bhavcopy

IST = ZoneInfo("Asia/Kolkata")
INDEX_SYMBOL, INDEX_ISIN = "NIFTYBEES", "INF204KB14I2"


@dataclass(frozen=True)
class DeskSummary:
    cards: int
    accounts: int
    transfers: int
    fills: int


def _csv(path: Path, header: list[str], rows: list[list[object]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    def cell(v: object) -> str:
        text = "" if v is None else str(v)
        return f'"{text}"' if "," in text else text
    path.write_text("\n".join(",".join(cell(v) for v in row) for row in [header, *rows]) + "\n")


def _append_index(bhavcopies: list[Path], seed: int) -> None:
    """A calm uptrend for the regime index: one row appended to each session's bhavcopy, in its layout."""
    rng, level = random.Random(seed), 265.0
    for path in bhavcopies:
        rows = parse_bhavcopy(path.read_bytes(), document=path.name).rows
        if any(r["nse_symbol"] == INDEX_SYMBOL for r in rows):  # written already (a re-run over the same folder)
            continue
        day = rows[0]["trade_date"]
        prev, level = level, level * (1.0015 + rng.gauss(0, 0.004))
        _, payload = bhavcopy_file(day, {INDEX_SYMBOL: (INDEX_ISIN, prev, level)})
        line = payload.decode().strip().splitlines()[-1]
        with path.open("a") as handle:
            handle.write(line + "\n")


def _market(bhavcopies: list[Path]) -> dict[str, list[tuple[date, float, float]]]:
    """symbol -> [(session, close, turnover)] of the sample's bhavcopies."""
    out: dict[str, list[tuple[date, float, float]]] = {}
    for path in bhavcopies:
        for r in parse_bhavcopy(path.read_bytes(), document=path.name).rows:
            out.setdefault(r["nse_symbol"], []).append((r["trade_date"], r["close"], r["turnover"]))
    return {s: sorted(v) for s, v in out.items()}


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), IST)


def write_trading_desk(landing: Path, india_landing: Path, as_of: date, *, classified: int, investable: int,
                       seed: int = 23) -> DeskSummary:
    bhavcopies = sorted((india_landing / "bhavcopy").glob("*.csv"))
    _append_index(bhavcopies, seed)
    market = _market(bhavcopies)
    sectors = {r["NSE Symbol"]: r["cd_sector"] for r in india_companies(classified, investable)}
    # the last session before the as-of date: the cards are submitted on it, before its close
    last = {s: [x for x in v if x[0] < as_of][-1] for s, v in market.items()
            if s != INDEX_SYMBOL and any(x[0] < as_of for x in v)}
    by_sector: dict[str, list[str]] = {}
    for s in sorted(last, key=lambda s: -last[s][2]):
        by_sector.setdefault(sectors.get(s, ""), []).append(s)
    crowded = next(sec for sec, syms in by_sector.items() if sec and len(syms) >= 3)
    a, b, c = by_sector[crowded][:3]  # two held, the third bought into a full sector
    free = [s for sec, syms in by_sector.items() if sec and sec != crowded for s in syms]
    pick, big, thin, stale, gap = free[:5]

    # accounts (paise) and books
    opening = {"DESK-MAIN": 50_00_000_00, "DESK-EQ": 20_00_000_00, "DESK-OPT": 6_00_000_00, "DESK-HEDGE": 1_50_000_00}
    limits = {"DESK-MAIN": (10_00_000_00, 0), "DESK-EQ": (2_00_000_00, 15_00_000_00),
              "DESK-OPT": (4_00_000_00, 5_00_000_00), "DESK-HEDGE": (3_00_000_00, 2_00_000_00)}
    names = {"DESK-MAIN": "Treasury main", "DESK-EQ": "Equity trading", "DESK-OPT": "Options trading",
             "DESK-HEDGE": "Hedge book"}
    t0 = as_of - timedelta(days=6)
    transfers = [  # id, from, to, paise, requested, approved by, posts?
        ("TR-0001", "DESK-MAIN", "DESK-EQ", 8_00_000_00, _at(t0, 9, 30), "cfo@desk", True),
        ("TR-0002", "DESK-OPT", "DESK-EQ", 3_00_000_00, _at(t0, 11), "cfo@desk", False),  # payer's buffer
        ("TR-0003", "DESK-MAIN", "DESK-OPT", 6_00_000_00, _at(t0 + timedelta(days=1), 10), "cfo@desk", False),  # loan
        ("TR-0004", "DESK-MAIN", "DESK-OPT", 2_50_000_50, _at(t0 + timedelta(days=2), 10), None, False),  # pending
        ("TR-0005", "DESK-EQ", "DESK-OPT", 1_00_000_25, _at(t0 + timedelta(days=3), 15), "treasurer@desk", True),
    ]
    balance = dict(opening)
    for _, src, dst, amount, _, _, posts in transfers:
        if posts:
            balance[src] -= amount
            balance[dst] += amount
    _csv(landing / "accounts" / "accounts.csv",
         ["Account", "Account Name", "As Of", "Opening Balance (Rs)", "Statement Balance (Rs)", "Minimum Buffer (Rs)",
          "Maximum Loan (Rs)"],
         [[k, names[k], as_of.isoformat(), indian_grouping(opening[k]), indian_grouping(balance[k]), indian_grouping(limits[k][0]),
           indian_grouping(limits[k][1])] for k in opening])
    header = ["Transfer ID", "From Account", "To Account", "Amount (Rs)", "Requested At", "Requested By",
              "Approved By", "Approved At", "Reason"]

    def transfer_row(t):
        tid, src, dst, amount, at, approver, _ = t
        return [tid, src, dst, indian_grouping(amount), at.isoformat(), "ops@desk", approver or "",
                (at + timedelta(hours=1)).isoformat() if approver else "", "Margin top-up"]

    _csv(landing / "transfers" / f"transfers-{t0:%Y%m%d}.csv", header, [transfer_row(t) for t in transfers[:3]])
    _csv(landing / "transfers" / f"transfers-{as_of:%Y%m%d}.csv", header,
         [transfer_row(transfers[0])] + [transfer_row(t) for t in transfers[3:]]
         + [["TR-0006", "DESK-MAIN", "DESK-HEDGE", "12,000.505", _at(as_of, 9).isoformat(), "ops@desk", "", "", "Typo"]])

    nav_cash = balance["DESK-EQ"]
    held_value = nav_cash / 100 / 3  # a and b: a quarter of NAV together (cash / 3 of cash + holdings), one sector
    book = {s: max(int(held_value / 2 / last[s][1]), 1) for s in (a, b)}
    _csv(landing / "positions" / "desk-eq.csv", ["Account", "Symbol", "Quantity", "Price (Rs)"],
         [["DESK-EQ", s, q, f"{last[s][1]:.2f}"] for s, q in book.items()])
    nav = nav_cash / 100 + sum(q * last[s][1] for s, q in book.items())

    def card(cid, symbol, quantity, *, version=1, account="DESK-EQ", limit=None, playbook="breakout",
             catalyst_hours=2.0, signal_minutes=10, instrument=None, planned=None):
        submitted = _at(as_of, 10)
        price = limit or round(last[symbol][1] * 1.002, 2)
        return {"card_id": cid, "version": version, "account": account, "symbol": symbol, "side": "BUY",
                "quantity": quantity, "limit_price": f"{price:.2f}", "playbook": playbook,
                "sector": sectors.get(symbol), "thesis": f"{symbol}: setup per the {playbook} playbook",
                "signal_at": (submitted - timedelta(minutes=signal_minutes)).isoformat(),
                "submitted_at": submitted.isoformat(),
                "catalyst": {"at": (submitted - timedelta(hours=catalyst_hours)).isoformat(),
                             "description": "Order win announced on the exchange"},
                "tranche": 1, "planned_quantity": planned or 2 * quantity,
                "instrument": instrument or {"type": "EQUITY"}}

    def shares(symbol, share_of_nav):
        return max(int(nav * share_of_nav / last[symbol][1]), 1)

    spot = last[pick][1]
    step = round(spot * 0.05, 0)
    cards = {
        "tc-0001-passes.json": card("TC-0001", pick, shares(pick, 0.02)),
        "tc-0002-illiquid.json": card("TC-0002", thin, int(last[thin][2] / 5 / last[thin][1]) + 1,
                                      planned=4 * int(last[thin][2] / 5 / last[thin][1]) + 4),
        "tc-0003-oversized.json": card("TC-0003", big, shares(big, 0.15)),
        "tc-0004-full-sector.json": card("TC-0004", c, shares(c, 0.08)),
        "tc-0005-stale-catalyst.json": card("TC-0005", stale, shares(stale, 0.02), catalyst_hours=72.0,
                                            playbook="mean_reversion"),
        "tc-0006-gap-chase.json": card("TC-0006", gap, shares(gap, 0.02), limit=round(last[gap][1] * 1.05, 2)),
        "tc-0006-v2.json": card("TC-0006", gap, shares(gap, 0.02), version=2),
        "tc-0007-bull-put.json": card("TC-0007", pick, 1, account="DESK-OPT", playbook="option_income", planned=1,
                                      instrument={"type": "OPTION_STRATEGY", "strategy": "bull_put_spread",
                                                  "lot_size": 50, "expiry": (as_of + timedelta(days=28)).isoformat(),
                                                  "legs": [{"option_type": "PE", "strike": spot - step, "side": "SELL",
                                                            "ratio": 1, "premium": round(spot * 0.012, 2), "iv": 0.24},
                                                           {"option_type": "PE", "strike": spot - 2 * step, "side": "BUY",
                                                            "ratio": 1, "premium": round(spot * 0.004, 2), "iv": 0.27}]}),
        "tc-0008-unknown-playbook.json": card("TC-0008", pick, 10, playbook="gut_feel"),
    }
    cards["tc-0001-resubmitted.json"] = cards["tc-0001-passes.json"]
    for name, body in cards.items():
        path = landing / "cards" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(body, indent=2) + "\n")

    fills = _fills(as_of, [s for s in free[:12]], {s: last[s][1] for s in free[:12]}, random.Random(seed))
    _csv(landing / "fills" / "fills.csv",
         ["Fill ID", "Trade ID", "Account", "Symbol", "Side", "Quantity", "Price (Rs)", "Fees (Rs)", "Filled At",
          "Playbook", "Strategy", "Meta Score"], fills)
    return DeskSummary(cards=len(cards), accounts=len(opening), transfers=len(transfers) + 1, fills=len(fills))


def _fills(as_of: date, symbols: list[str], prices: dict[str, float], rng: random.Random) -> list[list[object]]:
    """Round trips of three playbooks over ~90 days. Outcomes follow a fixed pattern (3 wins in 5: +3 % / -2 %,
    a little jitter) so steady playbooks stay steady; results_momentum wins 7 in 10, then its last ten 2 in 10."""
    rows: list[list[object]] = []
    plan = [("breakout", "pullback_entry", 25, False), ("mean_reversion", "oversold_bounce", 20, False),
            ("results_momentum", "post_beat_drift", 30, True)]
    n = 0
    for playbook, strategy, trades, drifts in plan:
        for i in range(trades):
            late = drifts and i >= trades - 10
            win = (i % 10 < 2) if late else (i % 10 < 7) if drifts else (i % 5 in (0, 1, 3))
            score = round(min(max(rng.gauss(0.72 if win else 0.58, 0.06), 0.4), 0.95), 2)
            symbol = symbols[(n * 7) % len(symbols)]
            entry_day = as_of - timedelta(days=90 - 3 * i * 28 // trades)
            entry_day -= timedelta(days=max(entry_day.weekday() - 4, 0))  # a weekend entry moves to Friday
            opened = _at(entry_day, 9, 30) + timedelta(minutes=rng.randrange(0, 60))
            closed = opened + timedelta(hours=rng.choice([5, 24, 29, 53, 77]))
            qty = rng.choice([50, 100, 150, 200])
            entry = round(prices[symbol] * rng.uniform(0.95, 1.05), 2)
            move = (0.03 if win else -0.02) + rng.uniform(-0.002, 0.002)
            exit_ = round(entry * (1 + move), 2)
            tid = f"T-{n + 1:04d}"
            # two entry fills for some trades: the weighted average must be taken
            if qty >= 150:
                rows.append([f"F-{tid}-1", tid, "DESK-EQ", symbol, "BUY", qty // 2, f"{entry - 0.5:.2f}", "12.50",
                             opened.isoformat(), playbook, strategy, score])
                rows.append([f"F-{tid}-2", tid, "DESK-EQ", symbol, "BUY", qty - qty // 2, f"{entry + 0.5:.2f}", "12.50",
                             (opened + timedelta(minutes=5)).isoformat(), playbook, strategy, score])
            else:
                rows.append([f"F-{tid}-1", tid, "DESK-EQ", symbol, "BUY", qty, f"{entry:.2f}", "20.00",
                             opened.isoformat(), playbook, strategy, score])
            rows.append([f"F-{tid}-X", tid, "DESK-EQ", symbol, "SELL", qty, f"{exit_:.2f}", "20.00",
                         closed.isoformat(), playbook, strategy, score])
            n += 1
    return rows
