"""Saving and loading modules, state dicts and checkpoints (lispe_py.torch.persistence)."""

import os

import pytest

torch = pytest.importorskip("torch")

import lispe_py.torch  # noqa: E402,F401
from lispe_py.errors import LispEError  # noqa: E402
from lispe_py.torch._lazy import ensure  # noqa: E402
from lispe_py.values import TRUE, List, to_string, type_name  # noqa: E402

from conftest import call_builtin as call  # noqa: E402

ensure()


def same_params(a, b):
    sa, sb = a.module.state_dict(), b.module.state_dict()
    return sa.keys() == sb.keys() and all(torch.equal(sa[k], sb[k]) for k in sa)


@pytest.mark.parametrize("make", [
    lambda: call("torch_model", 3, 4, 2),
    lambda: call("torch_linear", 3, 2),
    lambda: call("torch_embedding", 5, 3),
    lambda: call("torch_multihead_attention", 4, 2),
    lambda: call("torch_layer_norm", 4),
    lambda: call("torch_positional_encoding", 4, 5),
    lambda: call("torch_flash_attention_create", 4, 2, 0.0, TRUE),
])
def test_save_load_round_trip_both_orders(tmp_path, make):
    a, b, c = make(), make(), make()
    if type_name(a) == "torch_layernorm_":
        with torch.no_grad():
            a.module.weight.add_(1.5)
    path = str(tmp_path / "m.pt")
    assert call("torch_save_model", a, path) == "Model saved successfully"
    assert call("torch_load_model", b, path) == "Model loaded successfully"
    assert call("torch_load_model", path, c) == "Model loaded successfully"   # doc order
    assert same_params(a, b) and same_params(a, c)
    assert [f for f in os.listdir(tmp_path)] == ["m.pt"]          # no temporary left


def test_list_of_modules_and_block(tmp_path):
    blk = call("torch_transformer_block", 4, 2, 8)
    with pytest.raises(LispEError, match="First argument must be a PyTorch module"):
        call("torch_save_model", blk, str(tmp_path / "b.pt"))      # as the C++
    path = str(tmp_path / "parts.pt")
    emb = call("torch_embedding", 5, 4)
    call("torch_save_model", List([emb, blk]), path)
    emb2, blk2 = call("torch_embedding", 5, 4), call("torch_transformer_block", 4, 2, 8)
    call("torch_load_model", List([emb2, blk2]), path)
    assert same_params(emb, emb2) and same_params(blk, blk2)
    with pytest.raises(LispEError, match="holds 2 module"):
        call("torch_load_model", emb2, path)


def test_load_errors(tmp_path):
    lin = call("torch_linear", 3, 2)
    missing = str(tmp_path / "none.pt")
    with pytest.raises(LispEError, match="Error loading model: open file failed .*No such file"):
        call("torch_load_model", lin, missing)
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(LispEError, match="Error loading model: .*not a lispe-py model file"):
        call("torch_load_model", lin, str(text))
    other = str(tmp_path / "tensor.pt")
    torch.save({"w": torch.ones(2)}, other)
    with pytest.raises(LispEError, match="not a lispe-py model file"):
        call("torch_load_model", lin, other)
    mlp_path = str(tmp_path / "mlp.pt")
    call("torch_save_model", call("torch_model", 3, 4, 2), mlp_path)
    with pytest.raises(LispEError, match="No such serialized tensor 'weight'"):
        call("torch_load_model", lin, mlp_path)
    with pytest.raises(LispEError, match="size mismatch for fc1.weight"):
        call("torch_load_model", call("torch_model", 3, 5, 2), mlp_path)
    with pytest.raises(LispEError, match="Error saving model: Parent directory"):
        call("torch_save_model", lin, str(tmp_path / "no" / "dir" / "x.pt"))
    with pytest.raises(LispEError, match="First argument must be a PyTorch module"):
        call("torch_save_model", 1, str(tmp_path / "x.pt"))


def test_state_dicts():
    counts = {("torch_model", 3, 4, 2): 6, ("torch_linear", 3, 2): 2,
              ("torch_embedding", 5, 3): 1, ("torch_layer_norm", 4): 2,
              ("torch_multihead_attention", 4, 2): 4, ("torch_positional_encoding", 4, 5): 0}
    for expr, n in counts.items():
        sd = call("torch_state_dict", call(*expr))
        assert to_string(sd) == "PyTorch State Dict (%d parameters)" % n
        assert type_name(sd) == "torch_state_dict_"
    a, b = call("torch_linear", 3, 2), call("torch_linear", 3, 2)
    assert call("torch_load_state_dict", b, call("torch_state_dict", a)) == \
        "State dict loaded successfully"
    assert same_params(a, b)
    m1, m2 = call("torch_model", 2, 2, 2), call("torch_model", 2, 2, 2)
    call("torch_load_state_dict", m2, call("torch_state_dict", m1))
    assert same_params(m1, m2)
    with pytest.raises(LispEError, match="Second argument must be a state dict"):
        call("torch_load_state_dict", m1, "x")
    with pytest.raises(LispEError, match="First argument must be a model"):
        call("torch_load_state_dict", 1, call("torch_state_dict", m1))


def test_checkpoints(tmp_path):
    m = call("torch_model", 3, 4, 2)
    opt = call("torch_optimizer", m, 0.01, "adam")
    loss = call("torch_mse_loss", call("torch_forward", m, torch.ones(3)), torch.zeros(2))
    call("torch_backward", loss)
    call("torch_optimizer_step", opt)
    path = str(tmp_path / "ck.pt")
    assert call("torch_save_checkpoint", m, opt, 7, path) == "Checkpoint saved successfully"
    # the C++ stub: an empty state dict, the file is not read
    assert to_string(call("torch_load_checkpoint", path)) == "PyTorch State Dict (0 parameters)"
    assert to_string(call("torch_load_checkpoint", str(tmp_path / "never.pt"))) == \
        "PyTorch State Dict (0 parameters)"
    m2 = call("torch_model", 3, 4, 2)
    opt2 = call("torch_optimizer", m2, 0.01, "adam")
    assert call("torch_load_checkpoint", path, m2, opt2) == 7
    assert same_params(m, m2)
    assert opt2.optimizer.state_dict()["state"][0]["step"] == 1
    m3 = call("torch_model", 3, 4, 2)
    assert call("torch_load_checkpoint", m3, path) == 7
    assert call("torch_load_model", call("torch_model", 3, 4, 2), path) == \
        "Model loaded successfully"
    model_only = str(tmp_path / "m.pt")
    call("torch_save_model", m, model_only)
    with pytest.raises(LispEError, match="is not a checkpoint"):
        call("torch_load_checkpoint", model_only, m3)
    with pytest.raises(LispEError, match="Second argument must be an optimizer"):
        call("torch_save_checkpoint", m, 1, 1, path)
    # a transformer block can be checkpointed
    blk = call("torch_transformer_block", 4, 2, 8)
    call("torch_save_checkpoint", blk, None, 1, path)
    blk2 = call("torch_transformer_block", 4, 2, 8)
    assert call("torch_load_checkpoint", path, blk2) == 1
    assert same_params(blk, blk2)


# --------------------------------------------------------------------------- safe persistence

class _Evil:
    """Unpickling this runs code: it creates the file named ``marker``."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_a_crafted_pickle_cannot_run_code(tmp_path):
    from lispe_py.torch.persistence import FORMAT
    marker = tmp_path / "pwned"
    evil = str(tmp_path / "evil.pt")
    torch.save({"format": FORMAT, "kind": "module", "states": [_Evil(str(marker))]}, evil)
    lin = call("torch_linear", 3, 2)
    for name, args in [("torch_load_model", (lin, evil)),
                       ("torch_load_checkpoint", (evil, lin)),
                       ("torch_lora_load_adapters", (call("torch_lora_linear", 3, 2, 1, 1.0), evil))]:
        with pytest.raises(LispEError, match="Weights only load failed|Unsupported global"):
            call(name, *args)
    assert not marker.exists()
    # the file is really malicious: an unrestricted load runs its code
    torch.load(evil, weights_only=False)
    assert marker.exists()


def test_truncated_and_foreign_files_are_clear_errors(tmp_path):
    lin = call("torch_linear", 64, 64)
    good = tmp_path / "good.pt"
    call("torch_save_model", lin, str(good))
    data = good.read_bytes()
    for n in (0, 10, len(data) // 2, len(data) - 30):
        cut = tmp_path / ("cut%d.pt" % n)
        cut.write_bytes(data[:n])
        with pytest.raises(LispEError) as e:
            call("torch_load_model", lin, str(cut))
        assert e.value.message.startswith("Error loading model: ")
    for foreign in (b"\x89PNG\r\n\x1a\n" + bytes(200), b"PK\x03\x04" + bytes(100),
                    "é".encode("latin-1") * 50):
        f = tmp_path / "foreign.bin"
        f.write_bytes(foreign)
        with pytest.raises(LispEError, match="Error loading model: "):
            call("torch_load_model", lin, str(f))


def test_a_truncated_file_through_the_cli(tmp_path):
    from conftest import run_cli
    path = tmp_path / "m.pt"
    call("torch_save_model", call("torch_linear", 8, 8), str(path))
    path.write_bytes(path.read_bytes()[:300])
    prog = tmp_path / "load.lsp"
    prog.write_text("(use 'lispe_torch)\n(torch_load_model (torch_linear 8 8) \"%s\")\n" % path)
    r = run_cli([str(prog)])
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "load.lsp:2:" in r.stderr and "Error loading model: " in r.stderr


def test_killing_a_save_keeps_the_previous_checkpoint(tmp_path):
    """SIGKILL a process while it writes a checkpoint over an existing one: the file on disk
    is always a complete checkpoint (the write goes to a temporary file renamed at the end)."""
    import signal
    import subprocess
    import sys
    import time
    path = tmp_path / "ckpt.pt"
    first = call("torch_linear", 1500, 1500)
    call("torch_save_model", first, str(path))
    prog = tmp_path / "save.lsp"
    prog.write_text("(use 'lispe_torch)\n(setq m (torch_linear 1500 1500))\n"
                    "(loop i (iota 200) (torch_save_model m \"%s\"))\n" % path)
    mid_write = 0
    for attempt in range(3):
        p = subprocess.Popen([sys.executable, "-m", "lispe_py", str(prog)])
        deadline = time.monotonic() + 120
        try:
            while time.monotonic() < deadline and p.poll() is None:
                if any(n.endswith(".tmp") for n in os.listdir(tmp_path)):
                    os.kill(p.pid, signal.SIGKILL)      # in the middle of a write
                    break
                time.sleep(0.0005)
        finally:
            p.kill()
            p.wait()
        leftovers = [n for n in os.listdir(tmp_path) if n.endswith(".tmp")]
        mid_write += bool(leftovers)       # the kill came before that write was complete
        for n in leftovers:
            os.unlink(tmp_path / n)
        loaded = call("torch_linear", 1500, 1500)
        assert call("torch_load_model", loaded, str(path)) == "Model loaded successfully"
        assert loaded.module.weight.shape == (1500, 1500)
    assert mid_write >= 1
