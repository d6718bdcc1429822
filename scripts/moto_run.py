#!/usr/bin/env python3
"""Run a moto server for portcullis tests, demos and benchmarks.

Usage: moto_run.py PORT   (PORT 0 = pick a free port)

Listens on 127.0.0.1, prints ``MOTO_PORT=<port>`` on stdout once the socket
is accepting connections, then serves until it is signalled or its parent
process dies (a watchdog polls os.getppid() so that a killed test run or
script never leaves a moto server behind).
"""

import logging
import os
import signal
import sys
import threading
import time


def watch_parent(original_ppid: int) -> None:
    while True:
        time.sleep(0.5)
        if os.getppid() != original_ppid:
            os._exit(0)


def main() -> int:
    if len(sys.argv) != 2:
        print("usage: moto_run.py PORT  (0 = pick a free port)", file=sys.stderr)
        return 2
    try:
        port = int(sys.argv[1])
    except ValueError:
        print(f"moto_run.py: invalid port {sys.argv[1]!r}", file=sys.stderr)
        return 2

    # Start the watchdog first, so that even a slow import cannot outlive the parent.
    parent = os.getppid()
    threading.Thread(target=watch_parent, args=(parent,), daemon=True).start()

    # Per-request access logs would drown test output; keep errors only.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)

    # The same WSGI app and request handler that moto's ThreadedMotoServer uses,
    # but built in this thread: a bind failure raises here instead of leaving
    # ThreadedMotoServer.start() waiting forever for a thread that died.
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import make_server

    app = DomainDispatcherApplication(create_backend_app)
    try:
        # Port 0 goes straight to the listening socket: the kernel picks a free
        # port and no other process can take it between "find" and "bind".
        server = make_server(
            "127.0.0.1", port, app, threaded=True, request_handler=MotoRequestHandler
        )
    except (OSError, SystemExit) as err:
        print(f"moto_run.py: cannot listen on 127.0.0.1:{port}: {err}", file=sys.stderr)
        return 1
    actual_port = server.server_address[1]

    def stop(_signum, _frame):
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGHUP, stop)

    # make_server() has already called listen(), so connections queue from now on.
    print(f"MOTO_PORT={actual_port}", flush=True)
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
