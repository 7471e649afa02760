"""What the loopback servers of the tests (mirror, OpenAI, Google Sheets) share."""

from __future__ import annotations

import socketserver
import threading

# serve_forever checks for shutdown() between polls: at its default 0.5 s every server stop waited up to half a
# second, and the suite stops a few hundred servers
SHUTDOWN_POLL_SECONDS = 0.02


def serving_thread(server: socketserver.BaseServer) -> threading.Thread:
    """A daemon thread (not started) that serves ``server`` until ``server.shutdown()``."""
    return threading.Thread(target=server.serve_forever, kwargs={"poll_interval": SHUTDOWN_POLL_SECONDS}, daemon=True)
