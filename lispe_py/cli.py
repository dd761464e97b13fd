"""``lispe-py``: run a LispE program, evaluate an expression, or open the REPL.

    lispe-py FILE [ARGS...]     run FILE, print the value of its last form
    lispe-py -e 'EXPR'          evaluate EXPR, print its value
    lispe-py                    interactive REPL (or run the program piped on stdin)
    lispe-py --version          the versions of lispe-py, Python and PyTorch
    lispe-py --debug ...        also print the Python traceback of an error
    lispe-py --verbose ...      let libraries log (the SentencePiece trainer)
    lispe-py --nproc N FILE     N processes through torch.distributed.run (lispe_py.launch)

Uncaught errors go to stderr as ``file:line:col: Error: message``, the form, and the chain
of LispE calls (innermost last), with exit status 1."""

import argparse
import os
import sys
import traceback

from .errors import LispEError


def _rank_text(text):
    """Under a launcher (several processes), the error text prefixed with the rank for the
    first rank that fails, None for the others (lispe_py.torch.distributed.error_text)."""
    dist = sys.modules.get("lispe_py.torch.distributed")
    if dist is None and os.environ.get("WORLD_SIZE", "1") not in ("", "1"):
        from .torch import distributed as dist
    return text if dist is None else dist.error_text(text)


def _report(e, debug):
    _close_progress()
    sys.stdout.flush()
    if isinstance(e, LispEError):
        text = _rank_text(str(e))
        if text is None:
            return
        sys.stderr.write(text + "\n")
        if debug:
            sys.stderr.write("Python traceback (--debug):\n")
            traceback.print_exception(e, file=sys.stderr)
    else:
        if debug:
            traceback.print_exception(e, file=sys.stderr)
        text = _rank_text("Error: internal error: %s: %s" % (type(e).__name__, e))
        if text is not None:
            sys.stderr.write(text + "\n")
    sys.stderr.flush()


def _close_progress():
    mod = sys.modules.get("lispe_py.torch.progress")
    if mod is not None:
        mod.close_all()


def version_text():
    """``lispe-py 0.1.0 (Python 3.11.7, PyTorch 2.13.0)``; torch is not imported for it."""
    from importlib import metadata
    from . import __version__
    try:
        torch_version = metadata.version("torch")
    except metadata.PackageNotFoundError:
        torch_version = "not installed"
    return "lispe-py %s (LispE with lispetorch v2.3 builtins; Python %s, PyTorch %s)" % (
        __version__, sys.version.split()[0], torch_version)


def run_program(interp, path=None, source=None, name="<expr>"):
    from .values import to_string
    if path is not None:
        value = interp.execute_file(path)
    else:
        value = interp.eval_source(source, name)
    try:
        text = to_string(value)
    except RecursionError:
        raise LispEError("Stack overflow: the value is nested too deeply to print", prefix=False)
    _close_progress()
    if os.environ.get("RANK", "0") not in ("0", ""):    # several processes: rank 0 prints it
        return
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="lispe-py", description="LispE with PyTorch builtins.")
    parser.add_argument("-e", dest="expr", help="evaluate EXPR and print its value")
    parser.add_argument("--debug", action="store_true", help="show Python tracebacks of errors")
    parser.add_argument("--verbose", action="store_true",
                        help="let libraries log (the SentencePiece trainer)")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    parser.add_argument("--nproc", type=int, metavar="N",
                        help="run N processes of the program through torch.distributed.run")
    parser.add_argument("--nnodes", metavar="M", help="with --nproc: the number of hosts")
    parser.add_argument("--node-rank", type=int, metavar="R", help="with --nproc: this host's rank")
    parser.add_argument("--master-addr", metavar="HOST", help="with --nproc: the address of host 0")
    parser.add_argument("--master-port", type=int, metavar="PORT",
                        help="with --nproc: the rendezvous port on host 0")
    parser.add_argument("--max-restarts", type=int, default=0, metavar="K",
                        help="with --nproc: restart the processes up to K times after a failure")
    parser.add_argument("file", nargs="?", help="LispE program to run")
    parser.add_argument("args", nargs=argparse.REMAINDER, help="arguments for the program (_args)")
    opts = parser.parse_args(argv)
    if opts.version:
        print(version_text())
        return 0
    if opts.verbose:
        os.environ["LISPE_PY_VERBOSE"] = "1"
    if opts.nproc is not None:
        from .launch import launch_from_options
        return launch_from_options(opts)

    from .interpreter import Interpreter
    from .runner import run_with_big_stack

    if opts.expr is None and opts.file is None and sys.stdin.isatty():
        from .repl import main as repl_main
        return repl_main(debug=opts.debug)

    prog_args = ([opts.file] if opts.file else []) + list(opts.args or [])
    interp = Interpreter(args=prog_args)
    try:
        if opts.expr is not None:
            run_with_big_stack(run_program, interp, None, opts.expr, "<expr>")
        elif opts.file is not None:
            if not os.path.isfile(opts.file):
                raise LispEError("Unknown file: %s" % opts.file, prefix=False)
            run_with_big_stack(run_program, interp, opts.file)
        else:
            source = sys.stdin.read()
            run_with_big_stack(run_program, interp, None, source, "<stdin>")
    except LispEError as e:
        _report(e, opts.debug)
        return 1
    except KeyboardInterrupt:
        _close_progress()
        sys.stdout.flush()
        sys.stderr.write("Interrupted\n")
        return 130
    except Exception as e:  # a bug in lispe-py: still no raw traceback unless --debug
        _report(e, opts.debug)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
