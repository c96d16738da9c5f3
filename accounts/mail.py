"""Mail sent off the request path, so an answer never waits on (or reveals) a mail server.

A password-reset request for a known address sends mail and one for an unknown address does not;
if the sending happened inside the request, the time the answer took would tell them apart.

A fixed pool of MAIL_WORKERS threads sends from a queue of at most MAIL_QUEUE_SIZE messages, never
a thread per request: with a mail server that stops answering, a flood of requests costs a
bounded amount of memory and no threads. When the queue is full the request is answered as ever
and its mail is dropped, with a warning in the log.
"""

import atexit
import logging
import queue
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.db import connection

logger = logging.getLogger("mireads.accounts")
_lock = threading.Lock()
_outgoing: queue.Queue | None = None
_workers: list[threading.Thread] = []


def _work(jobs: queue.Queue) -> None:
    while True:
        send = jobs.get()
        try:
            if send is None:
                return
            send()
        except Exception:
            logger.exception("sending mail failed")
        finally:
            connection.close()  # this thread's own connection, if rendering opened one
            jobs.task_done()


def _queue() -> queue.Queue:
    """The queue, with its workers started on first use (after gunicorn forks, in each worker)."""
    global _outgoing
    with _lock:
        if _outgoing is None:
            _outgoing = queue.Queue(maxsize=settings.MAIL_QUEUE_SIZE)
            for index in range(settings.MAIL_WORKERS):
                # Daemon threads, drained at exit by _drain: a worker shutting down still sends
                # the mail it promised, for up to ten seconds.
                worker = threading.Thread(
                    target=_work, args=(_outgoing,), name=f"mireads-mail-{index}", daemon=True
                )
                worker.start()
                _workers.append(worker)
        return _outgoing


def send_in_background(send: Callable[[], None]) -> bool:
    """Queue `send` for the mail workers; the request carries on at once.

    False, with a warning logged, when the queue is full and the mail was dropped.
    """
    try:
        _queue().put_nowait(send)
    except queue.Full:
        logger.warning("mail queue full (%d waiting): a mail was dropped", settings.MAIL_QUEUE_SIZE)
        return False
    return True


def wait_for_outgoing(timeout: float = 10.0) -> None:
    """Wait until the mail queued so far has gone (for tests and shutting down)."""
    jobs = _queue()
    deadline = time.monotonic() + timeout
    with jobs.all_tasks_done:
        while jobs.unfinished_tasks:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            jobs.all_tasks_done.wait(left)


@atexit.register
def _drain() -> None:
    if _outgoing is not None:
        wait_for_outgoing()
