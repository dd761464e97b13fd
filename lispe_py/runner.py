"""Run interpreter work on a thread with a large stack, so deep LispE recursion works."""

import sys
import threading

STACK_SIZE = 512 * 1024 * 1024
RECURSION_LIMIT = 200_000  # LispE depth ~30000 works, 100000 is a Stack overflow (as in LispE)


def run_with_big_stack(fn, *args):
    """Call fn(*args) on a thread with a large C stack; return its result or re-raise."""
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
    sys.setrecursionlimit(RECURSION_LIMIT)
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
    try:
        while not done.wait(0.1):
            pass
    finally:
        sys.setrecursionlimit(old_limit)
    if "error" in result:
        raise result["error"]
    return result.get("value")
