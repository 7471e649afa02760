"""The embedded server on a fresh clone: several processes (xdist workers, `vp dev` beside a run) start it at
once, and every one of them must end up connected to the same, single server."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

_START = """
import sys
from pathlib import Path
from valuation_platform.warehouse.embedded import embedded_settings
settings = embedded_settings("race_check", pgdata=Path(sys.argv[1]))
print(settings.url)
"""


@pytest.fixture
def fresh_root() -> Iterator[Path]:
    """A folder outside pytest's temporary tree: when the tests run as root, pgserver runs initdb as its own
    `pgserver` user and opens the path to it (o+x), and every pytest process (each xdist worker too) strips
    group and other bits from /tmp/pytest-of-<user> when it first makes its temporary folder, so another
    worker starting to use tmp_path during this test took initdb's access away ("could not open directory")."""
    root = Path(tempfile.mkdtemp(prefix="vp_embedded_race_"))
    yield root
    shutil.rmtree(root, ignore_errors=True)


def _last_lines(err: str) -> str:
    return "\n".join(line for line in err.splitlines() if "RuntimeDirWarning" not in line
                     and "user_runtime_dir" not in line)[-2000:]


def test_processes_starting_a_fresh_server_at_once_share_it(fresh_root: Path) -> None:
    pgdata = fresh_root / "fresh" / "pgdata"
    starts = [
        subprocess.Popen([sys.executable, "-c", _START, str(pgdata)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    # each child stops the server when it exits (cleanup_mode="stop"), so read the URLs, then connect while one
    # more process holds it
    outcomes = [p.communicate(timeout=120) for p in starts]
    assert [p.returncode for p in starts] == [0, 0, 0], [_last_lines(err) for _, err in outcomes]
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
