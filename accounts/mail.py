"""Mail sent off the request path, so an answer never waits on (or reveals) a mail server.

A password-reset request for a known address sends mail and one for an unknown address does not;
if the sending happened inside the request, the time the answer took would tell them apart.
"""

import logging
import threading
from collections.abc import Callable

from django.db import connection

logger = logging.getLogger("mireads.accounts")
_outgoing: list[threading.Thread] = []
_lock = threading.Lock()


def _run(send: Callable[[], None]) -> None:
    try:
        send()
    except Exception:
        logger.exception("sending mail failed")
    finally:
        connection.close()  # this thread's own connection, if rendering opened one


def send_in_background(send: Callable[[], None]) -> None:
    """Run `send` in a thread of its own; the request carries on at once.

    Not a daemon thread: a worker shutting down waits for mail it has promised.
    """
    thread = threading.Thread(target=_run, args=(send,), name="mireads-mail")
    with _lock:
        _outgoing[:] = [t for t in _outgoing if t.is_alive()]
        _outgoing.append(thread)
    thread.start()


def wait_for_outgoing(timeout: float = 10.0) -> None:
    """Wait until the mail started so far has gone (for tests and management commands)."""
    with _lock:
        pending = list(_outgoing)
    for thread in pending:
        thread.join(timeout)
