"""The daily digest after the valuation run: valuation alerts, materiality alerts, top opportunities and
the approvals waiting for a manager. Sent by SMTP when a host is configured, else written as an HTML
file whose path the asset reports."""

from __future__ import annotations

import smtplib
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import jinja2
import psycopg

from valuation_platform.pipelines.workbook.opportunities import top_opportunities
from valuation_platform.pipelines.workbook.posts import latest_valuation_alerts
from valuation_platform.warehouse.query import fetch_dicts, relation_exists
from valuation_platform.warehouse.tables.workbook import DIGESTS
from valuation_platform.warehouse.upsert import upsert

TEMPLATE = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined).from_string("""\
<!doctype html>
<html><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body style="font-family: Arial, sans-serif">
<h1>{{ title }}</h1>
<h2>Valuation alerts ({{ valuation_alerts|length }})</h2>
{% if valuation_alerts %}<table border="1" cellpadding="4"><tr><th>Symbol</th><th>Date</th><th>Change %</th>
<th>Intrinsic value</th><th>Price</th><th>Main factor</th></tr>
{% for a in valuation_alerts %}<tr><td>{{ a.nse_symbol }}</td><td>{{ a.valuation_date }}</td>
<td>{{ '%+.1f'|format(a.change_pct) }}</td><td>{{ '%.2f'|format(a.intrinsic_value_per_share) }}</td>
<td>{{ a.cmp if a.cmp is not none else '' }}</td><td>{{ a.main_factor or '' }}</td></tr>
{% endfor %}</table>{% else %}<p>None.</p>{% endif %}
<h2>Materiality alerts ({{ materiality_alerts|length }})</h2>
{% if materiality_alerts %}<ul>{% for m in materiality_alerts %}<li><b>{{ m.severity }}</b> {{ m.alert_type }}
{{ m.valuation_group or 'all groups' }}{% if m.valuation_subgroup %} / {{ m.valuation_subgroup }}{% endif %}:
{{ m.signal_description }}</li>{% endfor %}</ul>{% else %}<p>None.</p>{% endif %}
<h2>Top opportunities</h2>
{% if opportunities %}<ol>{% for symbol, score, day in opportunities %}<li>{{ symbol }} ({{ '%.1f'|format(score) }},
{{ day }})</li>{% endfor %}</ol>{% else %}<p>No opportunity scores yet.</p>{% endif %}
<h2>Waiting for approval</h2>
<p>{{ pending_drivers|length }} discovered driver(s), {{ pending_posts }} social post(s).</p>
{% if pending_drivers %}<ul>{% for d in pending_drivers %}<li>{{ d.driver_level }} {{ d.scope }}:
{{ d.driver_name }} (weight {{ '%.2f'|format(d.suggested_weight) }}) - {{ d.reasoning }}</li>{% endfor %}</ul>{% endif %}
</body></html>
""")


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 587
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    sender: str = ""
    recipients: tuple[str, ...] = ()
    starttls: bool = True



def digest_contents(conn: psycopg.Connection) -> dict[str, Any]:
    materiality = fetch_dicts(conn.execute(
        "select * from marts.fct_materiality_alerts where alert_date = (select max(alert_date) from "
        "marts.fct_materiality_alerts) order by severity, alert_type, alert_id")) \
        if relation_exists(conn, "marts.fct_materiality_alerts") else []
    pending = fetch_dicts(conn.execute(
        "select driver_level, coalesce(company, valuation_subgroup, valuation_group) as scope, driver_name, "
        "suggested_weight, reasoning from analytics.discovered_drivers where status = 'PENDING' "
        "order by suggested_at, discovery_id")) if relation_exists(conn, "analytics.discovered_drivers") else []
    posts = conn.execute("select count(*) from analytics.workbook_social_posts where status = 'PENDING_APPROVAL'"
                         ).fetchone()[0] if relation_exists(conn, "analytics.workbook_social_posts") else 0
    return {"valuation_alerts": latest_valuation_alerts(conn), "materiality_alerts": materiality,
            "opportunities": top_opportunities(conn, 10), "pending_drivers": pending, "pending_posts": posts}


def render_digest(contents: dict[str, Any], *, now: datetime) -> str:
    return TEMPLATE.render(title=f"Valuation digest {now:%Y-%m-%d}", **contents)


def send_digest(conn: psycopg.Connection, *, now: datetime, smtp: SmtpSettings | None, out_dir: Path) -> dict[str, Any]:
    """Deliver the day's digest and record it in ``analytics.workbook_digests`` (a re-run replaces the day's)."""
    report = _deliver(conn, now=now, smtp=smtp, out_dir=out_dir)
    html = report.pop("html")
    row = {"digest_date": now.date(), "sent_at": now, "recipients": report.get("recipients", 0),
           "digest_path": report.get("digest_path"), "html": html,
           **{k: report[k] for k in ("delivery", "valuation_alerts", "materiality_alerts", "top_opportunities",
                                     "drivers_waiting_for_approval", "posts_waiting_for_approval")}}
    result = upsert(conn, DIGESTS, [row])
    return {**report, "dagster/row_count": result.rows_in}


def _deliver(conn: psycopg.Connection, *, now: datetime, smtp: SmtpSettings | None, out_dir: Path) -> dict[str, Any]:
    contents = digest_contents(conn)
    html = render_digest(contents, now=now)
    counts = {"valuation_alerts": len(contents["valuation_alerts"]),
              "materiality_alerts": len(contents["materiality_alerts"]),
              "top_opportunities": len(contents["opportunities"]),
              "drivers_waiting_for_approval": len(contents["pending_drivers"]),
              "posts_waiting_for_approval": contents["pending_posts"]}
    if smtp is not None:
        if not smtp.recipients or not smtp.sender:
            raise ValueError("SMTP digest needs a sender (VP_DIGEST_FROM) and recipients (VP_DIGEST_TO)")
        message = EmailMessage()
        message["Subject"] = f"Valuation digest {now:%Y-%m-%d}"
        message["From"] = smtp.sender
        message["To"] = ", ".join(smtp.recipients)
        message.set_content("This digest is HTML; open it in a mail client that shows HTML.")
        message.add_alternative(html, subtype="html")
        with smtplib.SMTP(smtp.host, smtp.port, timeout=30) as server:
            if smtp.starttls:
                server.starttls()
            if smtp.user:
                server.login(smtp.user, smtp.password or "")
            server.send_message(message)
        return {**counts, "delivery": f"smtp {smtp.host}:{smtp.port}", "recipients": len(smtp.recipients), "html": html}
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"digest_{now:%Y-%m-%d}.html"
    path.write_text(html, encoding="utf-8")
    return {**counts, "delivery": "file", "digest_path": str(path), "html": html}
