"""Several processes (lispe_py.torch.distributed, lispe_py.launch): gloo on 2 CPU processes.

The runs of a test start together (each waits mostly on imports, rendezvous and timeouts), so
the file stays short on a small machine. The rendezvous is torchrun's ``--standalone`` one:
this host, a free port."""

import os
import subprocess
import sys
import time

import pytest

torch = pytest.importorskip("torch")
if not torch.distributed.is_available():
    pytest.skip("torch.distributed is not available", allow_module_level=True)

from conftest import ROOT  # noqa: E402

PARITY = os.path.join(ROOT, "tests", "data", "distributed_parity.lsp")


def _start(args, cwd=None):
    env = dict(os.environ, OMP_NUM_THREADS="1")
    for k in ("RANK", "LOCAL_RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"):
        env.pop(k, None)
    return subprocess.Popen(args, cwd=cwd or ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _lispe(*args):
    return _start([sys.executable, "-m", "lispe_py"] + list(args))


def _finish(p, timeout=150):
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
        raise AssertionError("timed out:\n" + out[-2000:] + err[-3000:])
    return p.returncode, out, err


def _states(path):
    payload = torch.load(path, weights_only=True)
    assert payload["format"] == "lispe-py"
    return payload["states"]


def _max_diff(a, b):
    assert len(a) == len(b)
    return max((x[k] - y[k]).abs().max().item() for x, y in zip(a, b) for k in x)


def _total(states):
    return sum(float(t.double().sum()) for s in states for t in s.values())


# --------------------------------------------------------------------------- no process

def test_torchrun_command_line():
    from lispe_py.launch import torchrun_args
    assert torchrun_args(2, ["p.lsp", "--quick"]) == [
        "--nproc-per-node", "2", "--max-restarts", "0", "--standalone", "--nnodes", "1",
        "-m", "lispe_py", "p.lsp", "--quick"]
    assert torchrun_args(4, ["p.lsp"], nnodes=2, node_rank=1, master_addr="10.0.0.1",
                         master_port=29400, max_restarts=3, flags=["--debug"]) == [
        "--nproc-per-node", "4", "--max-restarts", "3", "--nnodes", "2", "--node-rank", "1",
        "--master-addr", "10.0.0.1", "--master-port", "29400", "-m", "lispe_py", "--debug",
        "p.lsp"]


def test_alone_without_group(lispe):
    # no launcher, no process group: rank 0 of a world of one, the whole data is this rank's
    assert lispe("(list (torch_distributed_rank) (torch_distributed_local_rank) "
                 "(torch_distributed_world_size) (torch_distributed_device))") == '(0 0 1 "cpu")'
    assert lispe("(torch_distributed_shard (integers 1 2 3))") == "(1 2 3)"
    from lispe_py.torch.distributed import _bounds, error_text
    assert [_bounds(5, 2, r) for r in range(2)] == [(0, 3), (3, 5)]
    assert [_bounds(7, 3, r) for r in range(3)] == [(0, 3), (3, 5), (5, 7)]
    assert error_text("x.lsp:1:1: Error: boom") == "x.lsp:1:1: Error: boom"


# --------------------------------------------------------------------------- 2 processes

FAIL = """(torch_distributed_init)
(if (= (torch_distributed_rank) 1) (throw "rank one fails"))
(torch_distributed_barrier)
(sleep 300000)
"""

HANG = """(torch_distributed_init "gloo" 3)
(if (= (torch_distributed_rank) 1) (sleep 300000))
(torch_distributed_all_reduce 1 "sum")
"""


def test_two_gloo_processes(tmp_path, capsys):
    """Three runs of 2 processes at once: the training parity program, a rank that fails,
    a rank that hangs (the last one started by torchrun itself)."""
    two = tmp_path / "two"
    two.mkdir()
    fail, hang = tmp_path / "fail.lsp", tmp_path / "hang.lsp"
    fail.write_text(FAIL)
    hang.write_text(HANG)
    t0 = time.time()
    runs = [_lispe("--nproc", "2", PARITY, str(two)),
            _lispe("--nproc", "2", str(fail)),
            _start([sys.executable, "-m", "torch.distributed.run", "--standalone",
                    "--nproc-per-node", "2", "-m", "lispe_py", str(hang)])]
    parity, failed, hung = [_finish(p) for p in runs]
    elapsed = time.time() - t0
    _check_parity(two, *parity, capsys, elapsed)
    _check_failed(str(fail), *failed)
    _check_hung(str(hang), *hung)
    assert elapsed < 150          # the sleeping ranks (300 s) were ended


def _check_parity(two, rc, out, err, capsys, elapsed):
    # each rank also trains the same model alone on the whole batch (plain.pt); run alone,
    # the program is a world of one (examples/ddp_tiny_lm.lsp --quick checks that path)
    assert rc == 0, err[-3000:]
    assert "Traceback" not in err
    for r in (0, 1):
        assert "rank %d of 2 on cpu" % r in out
        assert "rank %d all_reduce sum (3 6)" % r in out
        assert "rank %d all_reduce mean 1.5" % r in out
        assert "rank %d all_reduce max 2\n" % r in out
        assert "rank %d all_reduce min 1\n" % r in out
        assert "rank %d broadcast (20)" % r in out          # from rank 1 (world - 1)
        assert 'rank %d broadcast value ("from" 0)' % r in out
        assert "rank %d local batch (4 4)" % r in out
        assert "rank %d plain loss 0.482407" % r in out
        assert "rank %d dcp step 5" % r in out
        assert "rank %d ddp parameters 6" % r in out
    assert "rank 0 shard (1 2 3)" in out and "rank 1 shard (4 5)" in out
    # the mean of the two local losses is the loss of the whole batch
    assert "rank 0 ddp local loss 0.363922 mean 0.482407" in out
    assert out.splitlines()[-1] == "2"            # the last value, printed by rank 0 only
    assert out.splitlines().count("2") == 1

    plain = _states(two / "plain.pt")              # one process, whole batch, no wrapper
    ddp, fsdp = _states(two / "ddp.pt"), _states(two / "fsdp.pt")
    with capsys.disabled():
        print("\n  parameter sums: one process %.9f, DDP x2 %.9f, FSDP x2 %.9f (%.1f s)"
              % (_total(plain), _total(ddp), _total(fsdp), elapsed))
    assert _max_diff(plain, ddp) < 1e-5
    assert _max_diff(plain, fsdp) < 1e-5
    assert _max_diff(fsdp, _states(two / "fsdp_dcp.pt")) == 0     # DCP round trip
    assert _max_diff(fsdp, _states(two / "fsdp_loaded.pt")) == 0  # a full file into shards

    # the rank-0 file loads in a plain process, without any process group
    from lispe_py.builtins.registry import BUILTINS
    call = lambda name, *a: BUILTINS[name].fn(*a)  # noqa: E731
    model = [call("torch_linear", 4, 8), call("torch_layer_norm", 8), call("torch_linear", 8, 3)]
    assert call("torch_load_model", model, str(two / "ddp.pt")) == "Model loaded successfully"
    assert not torch.distributed.is_initialized()
    got = [{k: v for k, v in m.module.state_dict().items()} for m in model]
    assert _max_diff(got, ddp) == 0
    # an FSDP checkpoint (weights and Adam state gathered) goes on training in a plain process
    opt = call("torch_optimizer", model, 0.05, "adam")
    assert call("torch_load_checkpoint", str(two / "fsdp_checkpoint.pt"), model, opt) == 5
    assert _max_diff([m.module.state_dict() for m in model], fsdp) == 0
    assert len(opt.optimizer.state) == 6 and all(
        type(v) is torch.Tensor for st in opt.optimizer.state.values() for v in st.values())


def _check_failed(path, rc, out, err):
    assert rc == 1, err[-3000:]
    assert err.count("rank one fails") == 2, err   # the message and its form, printed once
    assert "[rank 1] " + path + ":2:" in err
    assert "Traceback" not in err and "SIGTERM" not in err, err


def _check_hung(path, rc, out, err):
    assert rc == 1, err[-3000:]
    assert "[rank 0] " + path + ":3:1: Error: torch_distributed_all_reduce: no answer from " \
        "the other ranks within 3 s (a rank hangs or has failed)" in err, err[-3000:]
