"""A process that has imported lispe-py and PyTorch once and runs each request in a fork.

Run as ``python tests/forkserver.py``; it reads one JSON request a line on stdin::

    {"argv": ["case.lsp"], "cwd": "/tmp/x", "out": "/tmp/o", "err": "/tmp/e", "timeout": 120}

and answers one JSON line ``{"rc": N}`` on stdout. Each request runs in a child forked from
this process, exactly as ``lispe-py ARGV`` would run in ``cwd``: a fresh interpreter, stdin
from /dev/null, stdout and stderr in the named files, the exit status of the CLI (124 after
``timeout`` seconds, as ``timeout(1)`` reports). The parent never computes with torch, so no
thread pool exists when it forks; what it saves is the import of torch and of lispe-py (about
3 s a case on a 2-core machine).
"""

import gc
import json
import os
import select
import signal
import sys
import time


def _preload():
    import lispe_py.cli  # noqa: F401
    import lispe_py.interpreter  # noqa: F401
    from lispe_py.builtins.registry import BUILTINS
    from lispe_py.reader import read
    read("(+ 1 2)")                     # builds the parser once
    BUILTINS.load_families()
    try:
        from lispe_py.torch import _lazy
        _lazy.ensure()
        import torch.nn  # noqa: F401
    except ImportError:
        pass
    for mod in ("sentencepiece", "tokenizers", "tiktoken", "safetensors"):
        try:
            __import__(mod)
        except ImportError:
            pass


def _child(req):
    """In the forked child: become ``lispe-py ARGV`` and never return."""
    code = 1
    try:
        os.chdir(req["cwd"])
        fd_in = os.open(os.devnull, os.O_RDONLY)
        fd_out = os.open(req["out"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        fd_err = os.open(req["err"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        for fd, target in ((fd_in, 0), (fd_out, 1), (fd_err, 2)):
            os.dup2(fd, target)
            os.close(fd)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        import random
        random.seed()
        sys.argv = ["lispe-py"] + list(req["argv"])
        from lispe_py.cli import main
        try:
            code = main(list(req["argv"]))
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        import atexit
        atexit._run_exitfuncs()
        gc.collect()
    except BaseException:  # a bug here must still end the child
        import traceback
        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code if isinstance(code, int) else 1)


def _wait(pid, timeout):
    """Exit status of child ``pid``, killing it (status 124) after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    try:
        pidfd = os.pidfd_open(pid)
    except (AttributeError, OSError):
        pidfd = None
    try:
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                return os.waitstatus_to_exitcode(status) if status >= 0 else 1
            left = deadline - time.monotonic()
            if left <= 0:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                return 124
            if pidfd is not None:
                select.select([pidfd], [], [], left)
            else:
                time.sleep(min(left, 0.005))
    finally:
        if pidfd is not None:
            os.close(pidfd)


def main():
    _preload()
    inp = os.fdopen(os.dup(0), "r")
    out = os.fdopen(os.dup(1), "w")
    out.write(json.dumps({"ready": os.getpid()}) + "\n")
    out.flush()
    for line in inp:
        if not line.strip():
            continue
        req = json.loads(line)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            inp.close()
            out.close()
            _child(req)
        rc = _wait(pid, float(req.get("timeout", 120)))
        rc = 128 - rc if rc < 0 else rc   # killed by signal N: 128+N, as the shell says
        out.write(json.dumps({"rc": rc}) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
