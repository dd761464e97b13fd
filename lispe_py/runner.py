"""Run interpreter work on a thread with a large stack, so deep LispE recursion works; the
calling thread stays free to stop it (Ctrl-C in the REPL, ``timeout=`` in the API).

With ``owner=`` (an interpreter), every evaluation of that owner runs on the same long-lived
thread, one after the other: what PyTorch keeps per thread (grad mode, autocast, the default
CUDA stream) and the thread caches of libraries such as tiktoken persist from one ``eval``,
REPL line or notebook cell to the next, as they do in a program run by the CLI. The thread
ends when its owner is garbage-collected."""

import ctypes
import queue
import sys
import threading
import time
import weakref

from .errors import LispEError

STACK_SIZE = 512 * 1024 * 1024
# Python frames: a defun compiled to Python code takes one frame per LispE call, so LispE
# recursion ~95000 deep works and 100000 is a Stack overflow (as the conformance corpus
# wants); a function left to the closure compiler takes about three frames per call
RECURSION_LIMIT = 96_000

__all__ = ["run_with_big_stack", "STACK_SIZE", "RECURSION_LIMIT"]


class _Timeout(BaseException):
    """Injected into a worker whose time is up."""


def _set_async_exc(thread, exc):
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread.ident),
                                               ctypes.py_object(exc) if exc is not None else None)


def _stop(thread, done, exc):
    # Thread.join must not be used to wait here: an interrupted join marks the thread as
    # finished while it still runs. Inject until the job has unwound, then withdraw an
    # exception still pending so that it cannot reach the thread's next job.
    while not done.wait(0.05):
        _set_async_exc(thread, exc)
    _set_async_exc(thread, None)


class _Job:
    __slots__ = ("fn", "args", "done", "value", "error")

    def __init__(self, fn, args):
        self.fn, self.args = fn, args
        self.done = threading.Event()
        self.value = self.error = None

    def run(self):
        try:
            self.value = self.fn(*self.args)
        except BaseException as e:  # re-raised in the caller's thread
            self.error = e
        finally:
            self.fn = self.args = None      # the thread must not keep its owner alive
            self.done.set()


def _start_thread(target, *args):
    try:
        old_size = threading.stack_size(STACK_SIZE)
    except (ValueError, RuntimeError):
        old_size = None
    try:
        t = threading.Thread(target=target, args=args, daemon=True, name="lispe-eval")
        t.start()
    finally:
        if old_size is not None:
            threading.stack_size(old_size)
    return t


def _serve(jobs):
    """Body of an owner's thread: run jobs until the ``None`` sent at the owner's end."""
    while True:
        try:
            job = jobs.get()
            if job is None:
                return
            job.run()
            job = None
        except (_Timeout, KeyboardInterrupt):
            continue      # a stop signal that arrived after its job had ended


class _Worker:
    def __init__(self):
        self.jobs = queue.SimpleQueue()
        self.thread = _start_thread(_serve, self.jobs)


_workers = weakref.WeakKeyDictionary()
_workers_lock = threading.Lock()


def _worker_of(owner):
    with _workers_lock:
        w = _workers.get(owner)
        if w is None or not w.thread.is_alive():
            w = _workers[owner] = _Worker()
            weakref.finalize(owner, w.jobs.put, None)
        return w


def run_with_big_stack(fn, *args, timeout=None, interruptible=False, owner=None):
    """Call fn(*args) on a thread with a large C stack; return its result or re-raise.

    ``timeout`` (seconds): stop the work and raise a LispEError after that time.
    ``interruptible``: a Ctrl-C in the calling thread stops the work, then
    KeyboardInterrupt is raised once it has unwound (otherwise it propagates at once).
    ``owner``: run on that owner's long-lived thread (see the module docstring)."""
    job = _Job(fn, args)
    old_limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old_limit, RECURSION_LIMIT))
    try:
        if owner is None:
            thread = _start_thread(job.run)
        else:
            worker = _worker_of(owner)
            thread = worker.thread
            if thread is threading.current_thread():    # an evaluation inside an evaluation
                job.run()
            else:
                worker.jobs.put(job)
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            while not job.done.wait(0.05):
                if deadline is not None and time.monotonic() > deadline:
                    _stop(thread, job.done, _Timeout)
        except KeyboardInterrupt:
            if not interruptible:
                raise
            _stop(thread, job.done, KeyboardInterrupt)
    finally:
        sys.setrecursionlimit(old_limit)
    err = job.error
    if isinstance(err, _Timeout):
        raise LispEError("evaluation stopped after %g seconds (timeout)" % timeout)
    if err is not None:
        raise err
    return job.value
