"""The daily digest: delivered to a real SMTP server on loopback (aiosmtpd) when configured, else written as
an HTML file. The marts it reads are given rows by hand (their contract's columns), so every figure in
the digest is known: two valuation alerts of the newest date (one older alert left out), one materiality
alert, one PENDING discovered driver and one post waiting."""

from __future__ import annotations

import socket
from datetime import UTC, date, datetime
from email import message_from_bytes, policy

import psycopg
import pytest
from aiosmtpd.controller import Controller

from tests.support.workbook import discovery
from valuation_platform.pipelines.workbook.digest import SmtpSettings, send_digest
from valuation_platform.warehouse.bootstrap import ensure_tables
from valuation_platform.warehouse.tables.intelligence import DISCOVERED_DRIVERS, INTELLIGENCE_TABLES
from valuation_platform.warehouse.tables.workbook import SOCIAL_POSTS, WORKBOOK_TABLES
from valuation_platform.warehouse.upsert import upsert

NOW = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def warehouse(fresh_db):
    with psycopg.connect(fresh_db.url, autocommit=True) as conn:
        ensure_tables(conn, [*INTELLIGENCE_TABLES, *WORKBOOK_TABLES])
        conn.execute("create table marts.fct_valuation_alerts (nse_symbol text, valuation_date date, "
                     "previous_valuation_date date, model text, previous_intrinsic_value_per_share double precision, "
                     "intrinsic_value_per_share double precision, change_pct double precision, direction text, "
                     "cmp double precision, upside_pct double precision, main_factor text, "
                     "main_factor_contribution double precision)")
        conn.execute("insert into marts.fct_valuation_alerts values "
                     "('TCS', '2026-11-20', '2026-11-19', 'FCFF', 3400, 3604, 6.0, 'UP', 3300, 9.2, 'growth', 150), "
                     "('HDFCBANK', '2026-11-20', '2026-11-19', 'EXCESS_RETURN', 2000, 1880, -6.0, 'DOWN', 1700, "
                     "10.6, 'discount_rate', -90), "
                     "('INFY', '2026-11-19', '2026-11-18', 'FCFF', 1500, 1600, 6.7, 'UP', 1450, 10.3, 'margin', 80)")
        conn.execute("create table marts.fct_materiality_alerts (alert_id text, alert_date date, alert_type text, "
                     "valuation_group text, valuation_subgroup text, signal_key text, signal_description text, "
                     "affected_companies integer, suggested_action text, severity text)")
        conn.execute("insert into marts.fct_materiality_alerts values ('a1', '2026-11-20', 'PMI_CROSSING', "
                     "'INDUSTRIALS', null, 'pmi_manufacturing', 'Manufacturing PMI fell below 50', 12, "
                     "'review capex drivers', 'HIGH')")
        upsert(conn, DISCOVERED_DRIVERS, [discovery("d-ev", "AUTO", "AUTO_TWO_THREE_WHEELERS", "ev_adoption_rate",
                                                    0.15, NOW)], source="test")
        upsert(conn, SOCIAL_POSTS, [{"post_id": "p1", "post_date": date(2026, 11, 20), "kind": "VALUATION_ALERT",
                                     "subject": "TCS", "text": "TCS: intrinsic value up", "status": "PENDING_APPROVAL",
                                     "reviewer": None, "reviewed_at": None, "generated_at": NOW}])
        yield conn


def test_digest_is_delivered_by_smtp(warehouse, tmp_path) -> None:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        smtp = SmtpSettings(host="127.0.0.1", port=port, sender="platform@research.example",
                            recipients=("pm1@research.example", "pm2@research.example"), starttls=False)
        report = send_digest(warehouse, now=NOW, smtp=smtp, out_dir=tmp_path)
    finally:
        controller.stop()
    assert report["delivery"] == f"smtp 127.0.0.1:{port}" and report["recipients"] == 2
    assert (report["valuation_alerts"], report["materiality_alerts"], report["drivers_waiting_for_approval"],
            report["posts_waiting_for_approval"]) == (2, 1, 1, 1)  # INFY's alert is of an older date
    assert list(tmp_path.iterdir()) == []  # sent, not written
    ((sender, recipients, raw),) = inbox.messages
    assert sender == "platform@research.example"
    assert recipients == ["pm1@research.example", "pm2@research.example"]
    message = message_from_bytes(raw, policy=policy.default)
    assert message["Subject"] == "Valuation digest 2026-11-20"
    html = message.get_body(("html",)).get_content()
    assert "Valuation alerts (2)" in html and "Materiality alerts (1)" in html
    assert "+6.0" in html and "-6.0" in html and "3604.00" in html and "INFY" not in html
    assert "Manufacturing PMI fell below 50" in html
    assert "1 discovered driver(s), 1 social post(s)" in html and "ev_adoption_rate (weight 0.15)" in html
    (kept,) = warehouse.execute("select digest_date, delivery, recipients, valuation_alerts, html "
                                "from analytics.workbook_digests").fetchall()
    assert kept[:4] == (date(2026, 11, 20), f"smtp 127.0.0.1:{port}", 2, 2)
    assert kept[4].split() == html.split()  # what was sent (SMTP carries it with CRLF line ends)


def test_without_smtp_the_digest_is_an_html_file(warehouse, tmp_path) -> None:
    report = send_digest(warehouse, now=NOW, smtp=None, out_dir=tmp_path / "digests")
    path = tmp_path / "digests" / "digest_2026-11-20.html"
    assert report["delivery"] == "file" and report["digest_path"] == str(path)
    html = path.read_text()
    assert html.startswith("<!doctype html>") and "HDFCBANK" in html and "discount_rate" in html
    assert warehouse.execute("select digest_path from analytics.workbook_digests").fetchall() == [(str(path),)]


def test_top_opportunities_read_the_scopes_of_the_newest_date(fresh_db):
    from datetime import date

    from valuation_platform.pipelines.workbook.opportunities import top_opportunities
    from valuation_platform.warehouse.connection import connect

    with connect(fresh_db) as conn:
        assert top_opportunities(conn, 5) == []  # the valuation domain never ran
        conn.execute("create schema if not exists marts")
        conn.execute("create table marts.fct_opportunity_scores (score_date date, scope_level text, scope text, "
                     "opportunity_score double precision, is_priority boolean)")
        conn.execute("insert into marts.fct_opportunity_scores values "
                     "('2026-11-19', 'GROUP', 'AUTO', 9.0, true), "  # an older date: not read
                     "('2026-11-20', 'GROUP', 'FINANCIALS', 1.9, true), "
                     "('2026-11-20', 'SUBGROUP', 'FINANCIALS_BANKS', 0.7, true), "
                     "('2026-11-20', 'GROUP', 'TECHNOLOGY', -2.0, false), "
                     "('2026-11-20', 'SUBGROUP', 'INFRA_EPC', null, false)")
        got = top_opportunities(conn, 5)
    day = date(2026, 11, 20)
    assert got == [("GROUP FINANCIALS", 1.9, day), ("SUBGROUP FINANCIALS_BANKS", 0.7, day),
                   ("GROUP TECHNOLOGY", -2.0, day)]
