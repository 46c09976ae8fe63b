"""Nothing outlives a killed ksoc-audit: the embedded Prefect server goes with it.

Without PREFECT_API_URL, Prefect starts its server as a child process and stops it at exit
(atexit); a SIGKILL skips that, and the server (about 250 MB) stays until someone stops it. A
tiny watchdog process per server (its own session, so a kill of our process group spares it)
polls our process and terminates the server once we are gone. Worker processes watch their
parent themselves (flows.documents.exit_with_parent).
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys

log = logging.getLogger(__name__)

_WATCHDOG = """
import os, signal, sys, time
parent, child = int(sys.argv[1]), int(sys.argv[2])

def alive(pid):
    try:
        with open(f"/proc/{pid}/status") as fh:
            return "\\nState:\\tZ" not in fh.read()
    except OSError:
        return False

while alive(child):
    if not alive(parent):
        os.kill(child, signal.SIGTERM)
        for _ in range(50):
            if not alive(child):
                break
            time.sleep(0.1)
        else:
            os.kill(child, signal.SIGKILL)
        break
    time.sleep(1)
"""
_watched: set[int] = set()


def stop_with_us(pid: int) -> subprocess.Popen[bytes] | None:
    """Start a watchdog that terminates process `pid` when this process dies (once per pid)."""
    if pid in _watched or not os.path.isdir("/proc"):
        return None
    _watched.add(pid)
    return subprocess.Popen([sys.executable, "-c", _WATCHDOG, str(os.getpid()), str(pid)],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True, close_fds=True)


def embedded_server_dies_with_us() -> None:
    """Watch Prefect's embedded server(s) started by this process, if any. A process that
    started one has imported its module; importing it otherwise would cost seconds (it loads
    the whole server) in every command that talks to a running server."""
    module = sys.modules.get("prefect.server.api.server")
    if module is None:
        return
    server_class = module.SubprocessASGIServer
    for server in list(getattr(server_class, "_instances", {}).values()):
        process = getattr(server, "server_process", None)
        if process is not None and process.poll() is None:
            stop_with_us(process.pid)
