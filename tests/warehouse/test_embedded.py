"""The embedded server on a fresh clone: several processes (xdist workers, `vp dev` beside a run) start it at
once, and every one of them must end up connected to the same, single server."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import psycopg

_START = """
import sys
from pathlib import Path
from valuation_platform.warehouse.embedded import embedded_settings
settings = embedded_settings("race_check", pgdata=Path(sys.argv[1]))
print(settings.url)
"""


def test_processes_starting_a_fresh_server_at_once_share_it(tmp_path: Path) -> None:
    pgdata = tmp_path / "fresh" / "pgdata"
    starts = [
        subprocess.Popen([sys.executable, "-c", _START, str(pgdata)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    # each child stops the server when it exits (cleanup_mode="stop"), so read the URLs, then connect while one
    # more process holds it
    outcomes = [p.communicate(timeout=120) for p in starts]
    assert [p.returncode for p in starts] == [0, 0, 0], [err[-2000:] for _, err in outcomes]
    urls = {out.strip() for out, _ in outcomes}
    assert len(urls) == 1, urls
    assert (pgdata / "PG_VERSION").is_file()
    holder = subprocess.Popen(
        [sys.executable, "-c", _START + "\nsys.stdout.flush()\nsys.stdin.read()", str(pgdata)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        url = holder.stdout.readline().strip()  # type: ignore[union-attr]
        with psycopg.connect(url) as conn:
            assert conn.execute("select current_database()").fetchone() == ("race_check",)
    finally:
        holder.communicate(input="", timeout=60)
