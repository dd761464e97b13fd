"""Run interpreter work on a thread with a large stack, so deep LispE recursion works; the
calling thread stays free to stop it (Ctrl-C in the REPL, ``timeout=`` in the API)."""

import ctypes
import sys
import threading
import time

from .errors import LispEError

STACK_SIZE = 512 * 1024 * 1024
RECURSION_LIMIT = 200_000  # LispE depth ~30000 works, 100000 is a Stack overflow (as in LispE)


class _Timeout(BaseException):
    """Injected into a worker whose time is up."""


def _stop(thread, done, exc):
    # Thread.join must not be used to wait here: an interrupted join marks the thread as
    # finished while it still runs. Inject until the worker has unwound.
    while not done.wait(0.05):
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread.ident), ctypes.py_object(exc))


def run_with_big_stack(fn, *args, timeout=None, interruptible=False):
    """Call fn(*args) on a thread with a large C stack; return its result or re-raise.

    ``timeout`` (seconds): stop the work and raise a LispEError after that time.
    ``interruptible``: a Ctrl-C in the calling thread stops the work, then
    KeyboardInterrupt is raised once it has unwound (otherwise it propagates at once)."""
    result = {}
    done = threading.Event()

    def target():
        try:
            result["value"] = fn(*args)
        except BaseException as e:  # re-raised in the caller's thread
            result["error"] = e
        finally:
            done.set()

    old_limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old_limit, RECURSION_LIMIT))
    try:
        old_size = threading.stack_size(STACK_SIZE)
    except (ValueError, RuntimeError):
        old_size = None
    try:
        t = threading.Thread(target=target, daemon=True)
        t.start()
    finally:
        if old_size is not None:
            threading.stack_size(old_size)
    deadline = None if timeout is None else time.monotonic() + timeout
    try:
        while not done.wait(0.05):
            if deadline is not None and time.monotonic() > deadline:
                _stop(t, done, _Timeout)
    except KeyboardInterrupt:
        if not interruptible:
            raise
        _stop(t, done, KeyboardInterrupt)
    finally:
        sys.setrecursionlimit(old_limit)
    err = result.get("error")
    if isinstance(err, _Timeout):
        raise LispEError("evaluation stopped after %g seconds (timeout)" % timeout)
    if err is not None:
        raise err
    return result.get("value")
