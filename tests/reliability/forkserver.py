"""Starts obligraph servers quickly, for tests that start one many times: ``python -m tests.reliability.forkserver``.

Importing the app takes seconds on a busy machine; this process imports it once, then for each
``start SOCKET LOG`` line on stdin forks a child that runs uvicorn with ``app_factory`` (as
``obligraph serve --workers 1`` does: the app is created, and the database opened and migrated, in
the child) on the Unix socket ``SOCKET``, and answers the child's pid. The child leads a session of
its own, so ``os.killpg(pid, SIGKILL)`` kills it and nothing else. Nothing here opens the
database: every connection is made after the fork.
"""

from __future__ import annotations

import os
import signal
import sys


def main() -> None:
    import uvicorn

    import obligraph.app.main  # noqa: F401  (the slow part, done once)

    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # killed children are reaped by the kernel
    print("ready", flush=True)
    for line in sys.stdin:
        command, socket_path, log_path = line.split()
        if command != "start":
            raise SystemExit(f"forkserver: unknown command {command!r}; send 'start SOCKET LOG'")
        pid = os.fork()
        if pid == 0:
            os.setsid()
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            log = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            null = os.open(os.devnull, os.O_RDONLY)
            os.dup2(null, 0)
            os.dup2(log, 1)
            os.dup2(log, 2)
            try:
                uvicorn.run(
                    "obligraph.app.main:app_factory", factory=True, uds=socket_path, workers=1, log_level="warning"
                )
            finally:
                os._exit(0)
        print(pid, flush=True)


if __name__ == "__main__":
    main()
