"""Process-level hooks every live dispatcher needs: exit, SIGTERM and fork.

- ``atexit``: close every live dispatcher (each within its ``shutdown_timeout_s``).
- ``SIGTERM``: a process killed by the default action runs no ``atexit`` hook, so an app
  started as ``python app.py`` would lose its queue. When the first dispatcher is made in
  the main thread, a handler is installed that closes every dispatcher and then hands
  the signal on: to the handler that was there before, or — if that was the default — by
  restoring the default and sending the signal again, so the exit status is unchanged.
  Servers that install their own handler later (uvicorn, gunicorn) replace ours; they
  shut down gracefully, and the lifespan / ``atexit`` path closes the dispatcher then.
- ``os.register_at_fork``: a child forked after the dispatcher was made (gunicorn
  ``--preload``) gets fresh locks, an empty queue, its own spool directory and worker
  threads that start on its first event.
"""

from __future__ import annotations

import atexit
import logging
import os
import signal
import threading
import weakref
from types import FrameType
from typing import Any, Protocol

log = logging.getLogger("auditmw.delivery")


class Closable(Protocol):
    def close(self, timeout: float | None = None) -> None: ...
    def after_fork(self) -> None: ...


class _State:
    installed = False
    previous_sigterm: Any = None
    lock = threading.Lock()


_live: weakref.WeakSet[Any] = weakref.WeakSet()


def register(dispatcher: Closable, *, handle_sigterm: bool = True) -> None:
    with _State.lock:
        _live.add(dispatcher)
        if not _State.installed:
            _State.installed = True
            atexit.register(close_all)
            os.register_at_fork(after_in_child=_after_fork_in_child)
    if handle_sigterm:
        install_sigterm_handler()


def unregister(dispatcher: Closable) -> None:
    _live.discard(dispatcher)


def live() -> list[Any]:
    return list(_live)


def close_all() -> None:
    for dispatcher in list(_live):
        try:
            dispatcher.close()
        except Exception:
            log.exception("auditmw: closing a dispatcher failed")


def _after_fork_in_child() -> None:
    _State.lock = threading.Lock()
    for dispatcher in list(_live):
        try:
            dispatcher.after_fork()
        except Exception:
            log.exception("auditmw: resetting a dispatcher after fork failed")


def install_sigterm_handler() -> bool:
    """Install the closing SIGTERM handler once; ``False`` when it cannot be (not the main
    thread, or the signal is ignored on purpose)."""
    if threading.current_thread() is not threading.main_thread():
        return False
    current = signal.getsignal(signal.SIGTERM)
    if current is _on_sigterm:
        return True
    if current == signal.SIG_IGN:
        return False
    _State.previous_sigterm = current
    signal.signal(signal.SIGTERM, _on_sigterm)
    return True


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    close_all()
    previous = _State.previous_sigterm
    if callable(previous):
        previous(signum, frame)
        return
    if previous == signal.SIG_IGN:
        return
    # The default action (or unknown, e.g. set from C): restore it and die by the signal.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGTERM)
