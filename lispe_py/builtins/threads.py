"""Threads on Python threads: the shared state of ``dethread`` functions, ``wait``,
``waiton``/``trigger``, and the thread store (``threadstore``, ``threadretrieve``,
``threadclear``). The forms ``dethread``, ``threadspace``, ``lock`` and ``seth`` are in
:mod:`lispe_py.forms_extra`.

An error raised in a thread stops the whole program, as in LispE: it is raised in the
thread that started it (at once, or at the latest by ``wait``).

A LispE thread starts with an empty global frame: it sees the functions, macros and
classes of the program but none of its global variables (not even ``_pi``), and what it
stores with ``setg`` (or ``setq`` at its top level) stays in its own frame. lispe-py does
the same when the interpreter's global frame is a :class:`GlobalFrame`: the first
``dethread`` turns it into a frame that answers each thread with that thread's own
dictionary (:func:`enable_thread_globals`). On a plain ``dict`` the threads share it."""

import ctypes
import threading

from ..errors import LispEError
from ..values import TRUE, Dictionary, List, lbool, to_string
from .registry import builtin

class _Local(threading.local):
    owner = None        # the global frame whose dethread function this thread runs
    frame = None        # this thread's own global variables
    depth = 0           # threadspace blocks entered


LOCAL = _Local()


class GlobalFrame(dict):
    """The global frame of an interpreter: a plain dict until a thread is defined."""

    __slots__ = ()


class _ThreadGlobals(GlobalFrame):
    """A global frame that answers each dethread thread with that thread's own frame
    (and the program itself with the dict)."""

    __slots__ = ()

    def get(self, k, default=None):
        f = LOCAL.frame if LOCAL.owner is self else None
        return dict.get(self, k, default) if f is None else f.get(k, default)

    def __getitem__(self, k):
        f = LOCAL.frame if LOCAL.owner is self else None
        return dict.__getitem__(self, k) if f is None else f[k]

    def __setitem__(self, k, v):
        f = LOCAL.frame if LOCAL.owner is self else None
        if f is None:
            dict.__setitem__(self, k, v)
        else:
            f[k] = v

    def __delitem__(self, k):
        f = LOCAL.frame if LOCAL.owner is self else None
        if f is None:
            dict.__delitem__(self, k)
        else:
            del f[k]

    def __contains__(self, k):
        f = LOCAL.frame if LOCAL.owner is self else None
        return dict.__contains__(self, k) if f is None else k in f

    def setdefault(self, k, default=None):
        f = LOCAL.frame if LOCAL.owner is self else None
        return dict.setdefault(self, k, default) if f is None else f.setdefault(k, default)

    def pop(self, k, *default):
        f = LOCAL.frame if LOCAL.owner is self else None
        return dict.pop(self, k, *default) if f is None else f.pop(k, *default)


def enable_thread_globals(interp):
    """Give each dethread thread of interp its own empty global frame (possible when the
    interpreter's frame is a GlobalFrame; True when it is done)."""
    g = interp.globals
    if type(g) is _ThreadGlobals:
        return True
    if type(g) is GlobalFrame:
        g.__class__ = _ThreadGlobals      # the same object: every compiled access follows
        return True
    return False


class ThreadState:
    """Per-interpreter thread data."""

    def __init__(self):
        self.guard = threading.RLock()
        self.threads = []
        self.errors = []
        self.locks = {}
        self.waiting = {}        # key -> [Condition, number of waiters, released]
        self.store = {}          # threadstore: key -> list of values
        self.space = {}          # variables set with seth

    def lock_for(self, key):
        k = to_string(key)
        with self.guard:
            lk = self.locks.get(k)
            if lk is None:
                lk = self.locks[k] = threading.RLock()
            return lk


_CREATE = threading.Lock()


def state_of(interp):
    st = interp.thread_state
    if st is None:
        with _CREATE:
            st = interp.thread_state
            if st is None:
                st = interp.thread_state = ThreadState()
    return st


def _failure_class(err):
    """An exception type carrying ``err`` (PyThreadState_SetAsyncExc raises a type)."""
    class ThreadFailure(LispEError):
        def __init__(self, *args):
            LispEError.__init__(self, err.message, err.file, err.line, err.column, err.form,
                                err.prefix)
    return ThreadFailure


def start_thread(interp, fn):
    """Run fn() on a new thread of interp; an error stops the thread that started it."""
    from ..runner import STACK_SIZE
    st = state_of(interp)
    parent = threading.get_ident()

    g = interp.globals

    def target():
        LOCAL.owner = g              # this thread's global variables (see _ThreadGlobals)
        LOCAL.frame = {}
        try:
            fn()
        except LispEError as e:
            with st.guard:
                st.errors.append(e)
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(parent),
                                                       ctypes.py_object(_failure_class(e)))
        except BaseException as e:      # noqa: BLE001 - reported like a LispE error
            err = LispEError(str(e) or type(e).__name__)
            with st.guard:
                st.errors.append(err)
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(parent),
                                                       ctypes.py_object(_failure_class(err)))

    try:
        old = threading.stack_size(min(STACK_SIZE, 256 * 1024 * 1024))
    except (ValueError, RuntimeError):
        old = None
    try:
        t = threading.Thread(target=target, daemon=True)
        t.start()
    finally:
        if old is not None:
            threading.stack_size(old)
    with st.guard:
        st.threads = [x for x in st.threads if x.is_alive()] + [t]
    return t


@builtin("wait", interp=True, arity=0)
def wait(interp, env):
    """(wait): wait until every thread started by dethread functions is over; true."""
    st = state_of(interp)
    me = threading.current_thread()
    while True:
        with st.guard:
            pending = [t for t in st.threads if t.is_alive() and t is not me]
        if not pending:
            break
        for t in pending:
            while t.is_alive():
                t.join(0.05)
    with st.guard:
        if st.errors:
            err = st.errors.pop(0)
            raise _failure_class(err)()
    return TRUE


@builtin("waiton", interp=True, arity=1)
def waiton(interp, env, key):
    """(waiton key): block this thread until (trigger key) is called; true."""
    st = state_of(interp)
    k = to_string(key)
    with st.guard:
        slot = st.waiting.get(k)
        if slot is None:
            slot = st.waiting[k] = [threading.Condition(st.guard), 0, 0]
        slot[1] += 1
        generation = slot[2]
        while slot[2] == generation:
            slot[0].wait(0.05)
        slot[1] -= 1
    return TRUE


@builtin("trigger", interp=True, arity=1)
def trigger(interp, env, key):
    """(trigger key): release the threads waiting on key; true when one was waiting."""
    st = state_of(interp)
    k = to_string(key)
    with st.guard:
        slot = st.waiting.get(k)
        if slot is None or slot[1] == 0:
            return None
        slot[2] += 1
        slot[0].notify_all()
    return TRUE


@builtin("threadstore", interp=True, arity=2)
def threadstore(interp, env, key, value):
    """(threadstore key value): append a copy of value to the list shared under key; true."""
    from ..runtime import deep_copy
    st = state_of(interp)
    with st.guard:
        st.store.setdefault(to_string(key), List()).append(deep_copy(value))
    return TRUE


@builtin("threadretrieve", interp=True, arity=(0, 1))
def threadretrieve(interp, env, key=None):
    """(threadretrieve [key]): the list stored under key (nil if none); without a key, a
    dictionary of everything stored."""
    from ..runtime import deep_copy
    st = state_of(interp)
    with st.guard:
        if key is None:
            d = Dictionary()
            for k, v in st.store.items():
                d[k] = deep_copy(v)
            return d
        v = st.store.get(to_string(key))
        return None if v is None else deep_copy(v)


@builtin("threadclear", interp=True, arity=(0, 1))
def threadclear(interp, env, key=None):
    """(threadclear [key]): empty the list stored under key (true if it existed); without a
    key, remove everything (true)."""
    st = state_of(interp)
    with st.guard:
        if key is None:
            st.store.clear()
            return TRUE
        v = st.store.get(to_string(key))
        if v is None:
            return None
        del v[:]
        return lbool(True)
