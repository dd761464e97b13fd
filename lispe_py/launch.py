"""``lispe-py --nproc N program.lsp [args]``: N processes of a LispE program, started by
PyTorch's own launcher, ``torch.distributed.run`` (torchrun): its rendezvous, its restarts,
its environment (``RANK``, ``LOCAL_RANK``, ``WORLD_SIZE``, ``MASTER_ADDR``, ``MASTER_PORT``).
Each process runs ``python -m lispe_py program.lsp args``, exactly what
``torchrun --nproc-per-node N -m lispe_py program.lsp args`` runs.

One host: ``--standalone`` (a rendezvous on this host with a free port). Several hosts: the
same command on each, with ``--nnodes M --node-rank R --master-addr HOST0 --master-port P``
(torchrun's static rendezvous on host 0).

When a rank fails, torchrun stops the others; the rank's error was printed by the rank
itself (once, with its rank: :func:`lispe_py.torch.distributed.error_text`), and the exit
status is 1. torchrun's own log lines are shown with ``--verbose`` only.
"""

import logging
import os
import sys

__all__ = ["torchrun_args", "launch", "launch_from_options"]


def torchrun_args(nproc, program, nnodes=None, node_rank=None, master_addr=None,
                  master_port=None, max_restarts=0, flags=()):
    """The ``torch.distributed.run`` command line (without the program name) that runs
    ``python -m lispe_py FLAGS PROGRAM`` in ``nproc`` processes per host."""
    args = ["--nproc-per-node", str(int(nproc)), "--max-restarts", str(int(max_restarts or 0))]
    several_hosts = nnodes is not None and str(nnodes) != "1"
    if several_hosts or master_addr is not None or master_port is not None \
            or node_rank is not None:
        args += ["--nnodes", str(nnodes or 1), "--node-rank", str(int(node_rank or 0)),
                 "--master-addr", master_addr or "127.0.0.1",
                 "--master-port", str(int(master_port or 29500))]
    else:
        args += ["--standalone", "--nnodes", "1"]
    return args + ["-m", "lispe_py"] + list(flags) + list(program)


def _quiet(verbose):
    level = logging.INFO if verbose else logging.CRITICAL
    for name in ("torch.distributed.elastic", "torch.distributed.run",
                 "torch.distributed.launcher"):
        logging.getLogger(name).setLevel(level)


def launch(nproc, program, nnodes=None, node_rank=None, master_addr=None, master_port=None,
           max_restarts=0, flags=(), verbose=False):
    """Run ``program`` (the lispe-py arguments: a file and its arguments, or ``-e EXPR``) in
    ``nproc`` processes through torch.distributed.run; the exit status (0, or 1 when a rank
    failed)."""
    if int(nproc) < 1:
        sys.stderr.write("Error: --nproc must be at least 1\n")
        return 2
    argv = torchrun_args(nproc, program, nnodes, node_rank, master_addr, master_port,
                         max_restarts, flags)
    cores = os.cpu_count() or 1
    os.environ.setdefault("OMP_NUM_THREADS", str(max(1, cores // int(nproc))))
    _quiet(verbose)
    from torch.distributed.run import parse_args, run
    from torch.distributed.elastic.multiprocessing.errors import ChildFailedError
    try:
        run(parse_args(argv))
    except ChildFailedError as e:
        rank, failure = e.get_first_failure()
        code = failure.exitcode
        if code != 1:      # exit status 1: the rank printed its error itself
            how = ("was killed by signal %s" % failure.signal_name()) if code < 0 else \
                "exited with status %d" % code
            sys.stderr.write("Error: rank %d %s; the other ranks were stopped\n" % (rank, how))
        sys.stderr.flush()
        return 1
    except KeyboardInterrupt:
        sys.stderr.write("Interrupted\n")
        return 130
    except Exception as e:        # a rendezvous that fails, a port in use...
        sys.stderr.write("Error: torch.distributed.run: %s: %s\n" % (type(e).__name__, e))
        return 1
    return 0


def launch_from_options(opts):
    """``lispe-py --nproc N ...`` (the CLI's parsed options)."""
    if opts.expr is not None:
        program = ["-e", opts.expr]
    elif opts.file is not None:
        if not os.path.isfile(opts.file):
            sys.stderr.write("Error: Unknown file: %s\n" % opts.file)
            return 1
        program = [opts.file] + list(opts.args or [])
    else:
        sys.stderr.write("Error: --nproc needs a program file or -e EXPR\n")
        return 2
    flags = (["--debug"] if opts.debug else []) + (["--verbose"] if opts.verbose else [])
    return launch(opts.nproc, program, opts.nnodes, opts.node_rank, opts.master_addr,
                  opts.master_port, opts.max_restarts, flags, opts.verbose)
