"""The trading desk end to end on a generated landing folder: Dagster materializes the cards, guardrails,
treasury and learning assets into a real Postgres, dbt builds the marts (tests included), and the results
are checked against the landing documents' own figures and arithmetic written out here.

* A card version is evaluated once: a second run, the same card under another file name, evaluate nothing.
* The reconciliation (the Python check and the mart's dbt test) fails once one ledger row is removed.
"""

from __future__ import annotations

import csv
import json
import shutil
from datetime import date, datetime, timedelta

import dagster as dg
import pytest

from tests.support.dbt_build import dbt_build
from valuation_platform.defs.trading.desk import TradingDeskResource
from valuation_platform.defs.trading.guardrails import guardrail_results, trade_cards, trading_positions
from valuation_platform.defs.trading.learning import trade_fills, trade_outcomes
from valuation_platform.defs.trading.treasury import (
    trading_accounts, treasury_ledger, treasury_reconciles, treasury_transfers,
)
from valuation_platform.generator.india import india_companies
from valuation_platform.generator.trading_desk import write_trading_desk
from valuation_platform.generator.valuation import sample_companies, sessions_between, write_valuation_landing
from valuation_platform.lib.resources import SourcesResource, WarehouseResource
from valuation_platform.pipelines.trading.treasury import reconcile
from valuation_platform.pipelines.valuation.inputs import load_bhavcopy
from valuation_platform.warehouse.bootstrap import ensure_tables
from valuation_platform.warehouse.connection import connect
from valuation_platform.warehouse.tables.valuation import NSE_BHAVCOPY

AS_OF = date(2026, 11, 20)
ASSETS = [trading_accounts, treasury_transfers, treasury_ledger, treasury_reconciles, trade_cards, trading_positions,
          guardrail_results, trade_fills, trade_outcomes]
MARTS = ["+fct_guardrail_results", "+fct_trade_card_decisions", "+fct_treasury_ledger", "+fct_treasury_reconciliation",
         "+fct_trade_outcomes", "+fct_playbook_performance", "+fct_meta_label_proposals", "+fct_treasury_clawbacks",
         "playbooks", "trading_thresholds"]


@pytest.fixture
def desk(tmp_path, fresh_db):
    india = tmp_path / "landing" / "india"
    companies = sample_companies(india_companies(2500, 1200), 24)
    write_valuation_landing(india, companies, sessions_between(AS_OF - timedelta(days=21), AS_OF), as_of=AS_OF)
    write_trading_desk(tmp_path / "landing" / "trading", india, AS_OF, classified=2500, investable=1200)
    cards = {p.name: json.loads(p.read_text()) for p in (tmp_path / "landing" / "trading" / "cards").glob("*.json")}
    with connect(fresh_db) as conn:
        ensure_tables(conn, [NSE_BHAVCOPY])
        load_bhavcopy(conn, india, fetched_at=datetime.now().astimezone())
        # the NSE part's marts, as their contract states them (symbol master, corporate events); the book's
        # holdings are missing from the symbol master (as EQUITY_L can miss a renamed company) and keep their
        # sector through the India universe
        with (tmp_path / "landing" / "trading" / "positions" / "desk-eq.csv").open() as f:
            held = {r["Symbol"] for r in csv.DictReader(f)}
        conn.execute("create schema if not exists marts")
        conn.execute("create schema if not exists analytics")
        conn.execute("create table marts.dim_nse_symbol (symbol text, isin text, sector text, industry text)")
        conn.execute("create table analytics.india_universe (nse_symbol text, cd_sector text)")
        for row in india_companies(2500, 1200):
            conn.execute("insert into analytics.india_universe values (%s, %s)" if row["NSE Symbol"] in held else
                         "insert into marts.dim_nse_symbol values (%s, null, %s, null)",
                         (row["NSE Symbol"], row["cd_sector"]))
        conn.execute("create table marts.fct_corporate_events (symbol text, event_date date, event_type text, purpose text)")
        conn.execute("insert into marts.fct_corporate_events values (%s, %s, 'FINANCIAL_RESULTS', 'Financial Results'),"
                     " (%s, %s, 'BOARD_MEETING', 'Fund raising')",
                     (cards["tc-0005-stale-catalyst.json"]["symbol"], AS_OF + timedelta(days=2),
                      cards["tc-0001-passes.json"]["symbol"], AS_OF - timedelta(days=1)))
        conn.commit()
    resources = {"warehouse": WarehouseResource(database_url=fresh_db.url),
                 "sources": SourcesResource(source_root=str(tmp_path)), "trading_desk": TradingDeskResource()}
    return tmp_path / "landing" / "trading", fresh_db, resources


def _rows(db, query, params=()):
    with connect(db) as conn:
        cur = conn.execute(query, params)
        names = [d.name for d in cur.description or []]
        return [dict(zip(names, r)) for r in cur.fetchall()]


def _paise(text: str) -> int:
    rupees, _, paise = text.replace(",", "").partition(".")
    return int(rupees) * 100 + int(paise.ljust(2, "0"))


def test_the_desk_end_to_end(desk, tmp_path) -> None:
    landing, db, resources = desk
    result = dg.materialize(ASSETS, resources=resources)
    assert result.success
    (check,) = result.get_asset_check_evaluations()
    assert check.passed, check.metadata

    # -- cards: the one with an unknown playbook is quarantined, the resubmission is one version --------------
    quarantined = _rows(db, "select document, field, reason from raw.quarantine where asset_key = 'trade_cards'")
    assert quarantined == [{"document": "cards/tc-0008-unknown-playbook.json", "field": "playbook",
                            "reason": "unknown playbook 'gut_feel' (one of breakout, mean_reversion, option_income, "
                                      "results_momentum)"}]
    cards = len(list((landing / "cards").glob("*.json")))
    versions = _rows(db, "select count(*) as n from raw.trade_cards")[0]["n"]
    assert versions == cards - 2  # the quarantined card, and TC-0001 dropped twice
    evaluated = _rows(db, "select card_id, version, evaluated_at from analytics.guardrail_results order by 1, 2, 3")
    assert len(evaluated) == versions * 7

    # -- evaluated once per version: a re-run and the same card under a new name change nothing ---------------
    shutil.copy(landing / "cards" / "tc-0003-oversized.json", landing / "cards" / "tc-0003-again.json")
    again = dg.materialize([trade_cards, guardrail_results], resources=resources)
    runs = {m.asset_key.path[-1]: m.metadata for m in
            (e.event_specific_data.materialization for e in again.get_asset_materialization_events())}
    assert runs["guardrail_results"]["cards_evaluated"].value == 0
    assert runs["trade_cards"]["new_card_versions"].value == 0
    assert _rows(db, "select card_id, version, evaluated_at from analytics.guardrail_results order by 1, 2, 3") == evaluated
    # the same version with other content is refused, and the stored card kept
    changed = json.loads((landing / "cards" / "tc-0001-passes.json").read_text()) | {"quantity": 999}
    (landing / "cards" / "tc-0001-edited.json").write_text(json.dumps(changed))
    assert dg.materialize([trade_cards, guardrail_results], resources=resources).success
    refused = _rows(db, "select reason from raw.quarantine where document = 'cards/tc-0001-edited.json'")
    assert refused == [{"reason": "card TC-0001 version 1 was already submitted with other content: submit a new version"}]
    assert _rows(db, "select quantity from raw.trade_cards where card_id = 'TC-0001'")[0]["quantity"] != 999

    failures = dbt_build(db, MARTS, tmp_path / "dbt")
    assert failures == []

    # -- decisions: each generated card lands where its numbers put it -----------------------------------------
    decided = {(r["card_id"], r["version"]): r for r in _rows(db, "select * from marts.fct_trade_card_decisions")}
    state = {k: (r["state"], r["blocking_rules"]) for k, r in decided.items()}
    assert state[("TC-0001", 1)] == ("APPROVED", None)
    assert state[("TC-0003", 1)] == ("BLOCKED", "position_size")
    assert state[("TC-0004", 1)] == ("BLOCKED", "sector_exposure")
    # results two days after the card's day, and a catalyst 72 h old: both block
    assert state[("TC-0005", 1)] == ("BLOCKED", "catalyst_freshness,event_window")
    # a board meeting the day before TC-0001's day warns without blocking
    assert decided[("TC-0001", 1)]["warning_rules"] == "event_window"
    assert state[("TC-0006", 1)] == ("FLAGGED", None) and state[("TC-0006", 2)] == ("APPROVED", None)
    assert "liquidity" in state[("TC-0002", 1)][1]
    assert decided[("TC-0001", 1)]["approved_quantity"] == decided[("TC-0001", 1)]["quantity"]
    assert all(r["approved_quantity"] == 0 for r in decided.values() if r["state"] != "APPROVED")
    # the illiquid card's ratio from the bhavcopy files' own turnover: sessions before the as-of date
    card = json.loads((landing / "cards" / "tc-0002-illiquid.json").read_text())
    turnover = [r["turnover"] for r in _rows(db, "select turnover from raw.nse_bhavcopy where nse_symbol = %s"
                                                 " and trade_date < %s order by trade_date desc limit 20",
                                             (card["symbol"], AS_OF))]
    ratio = (sum(turnover) / len(turnover)) / (card["quantity"] * float(card["limit_price"]))
    got = _rows(db, "select observed from marts.fct_guardrail_results where card_id = 'TC-0002' and rule = 'liquidity'")
    assert got[0]["observed"] == pytest.approx(ratio, rel=1e-12) and ratio < 20
    # the option card: a defined-risk spread's margin = (strike width - credit) x lot size x lots
    option = json.loads((landing / "cards" / "tc-0007-bull-put.json").read_text())
    sold, bought = option["instrument"]["legs"]
    width, credit = sold["strike"] - bought["strike"], sold["premium"] - bought["premium"]
    margin = (width - credit) * option["instrument"]["lot_size"] * option["quantity"]
    assert decided[("TC-0007", 1)]["option_margin"] == pytest.approx(margin, rel=1e-9)
    assert 0 < decided[("TC-0007", 1)]["option_pop"] < 1

    # -- treasury: outcomes, balances to the paisa against the statement, the claw-back ------------------------
    outcome = {r["transfer_id"]: (r["status"], r["rule"]) for r in _rows(db, "select * from analytics.treasury_decisions")}
    assert outcome == {"TR-0001": ("POSTED", None), "TR-0002": ("BLOCKED", "min_buffer"),
                       "TR-0003": ("BLOCKED", "max_loan"), "TR-0004": ("AWAITING_APPROVAL", None),
                       "TR-0005": ("POSTED", None)}
    bad = _rows(db, "select document, reason from raw.quarantine where asset_key = 'treasury_transfers'")
    assert len(bad) == 1 and bad[0]["reason"] == "'12,000.505' has fractions of a paisa"
    with (landing / "accounts" / "accounts.csv").open() as f:
        statement = {r["Account"]: _paise(r["Statement Balance (Rs)"]) for r in csv.DictReader(f)}
    recon = {r["account"]: r for r in _rows(db, "select * from marts.fct_treasury_reconciliation")}
    assert {a: r["ledger_balance_paise"] for a, r in recon.items()} == statement
    # by hand: EQ 20,00,000.00 + 8,00,000.00 (TR-0001) - 1,00,000.25 (TR-0005) = 26,99,999.75
    assert recon["DESK-EQ"]["ledger_balance_paise"] == 2_699_999_75
    ledger = _rows(db, "select transfer_id, entry, amount_paise, balance_after_paise from marts.fct_treasury_ledger"
                       " where account = 'DESK-OPT'")
    assert ledger == [{"transfer_id": "TR-0005", "entry": "MOVE_IN", "amount_paise": 1_00_000_25,
                       "balance_after_paise": 7_00_000_25}]
    claw = _rows(db, "select account, from_account, amount_paise, basis from marts.fct_treasury_clawbacks")
    # HEDGE 1,50,000 against a 3,00,000 buffer: 1,50,000 from the largest surplus, MAIN (42,00,000 - 10,00,000)
    assert claw == [{"account": "DESK-HEDGE", "from_account": "DESK-MAIN", "amount_paise": 1_50_000_00,
                     "basis": "surplus"}]

    # -- learning: one trade's P&L from the fills file; the drift the generator planted ------------------------
    with (landing / "fills" / "fills.csv").open() as f:
        fills = [r for r in csv.DictReader(f) if r["Trade ID"] == "T-0001"]
    buys = [(int(r["Quantity"]), float(r["Price (Rs)"])) for r in fills if r["Side"] == "BUY"]
    sells = [(int(r["Quantity"]), float(r["Price (Rs)"])) for r in fills if r["Side"] == "SELL"]
    pnl = sum(q * p for q, p in sells) - sum(q * p for q, p in buys) - sum(float(r["Fees (Rs)"]) for r in fills)
    t1 = _rows(db, "select pnl, quantity from marts.fct_trade_outcomes where trade_id = 'T-0001'")[0]
    assert t1["pnl"] == pytest.approx(pnl, rel=1e-12) and t1["quantity"] == sum(q for q, _ in buys)
    drift = _rows(db, "select playbook, status from marts.fct_meta_label_proposals")
    assert {r["playbook"] for r in drift} == {"results_momentum"}
    assert {r["status"] for r in drift} == {"AWAITING_APPROVAL"}

    # -- one ledger row removed: the daily check and the mart's dbt test both fail -----------------------------
    with connect(db) as conn:
        conn.execute("delete from analytics.treasury_ledger where transfer_id = 'TR-0005' and entry = 'MOVE_IN'")
        conn.commit()
        outcome = reconcile(conn)
    assert not outcome.passed
    assert outcome.metadata["accounts_off"] == 1 and outcome.metadata["unbalanced_transfers"] == 1
    failures = dbt_build(db, ["+fct_treasury_reconciliation"], tmp_path / "dbt")
    assert [name for name, _, _ in failures] == ["expression_is_true_fct_treasury_reconciliation_difference_paise_0"]
