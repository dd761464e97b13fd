"""The Jupyter kernel, driven through jupyter_client (start it, send requests, read the
messages) and nbclient (run examples/notebooks/tour.ipynb)."""

import os
import shutil
import subprocess
import sys
import time

import pytest

pytest.importorskip("ipykernel")
jupyter_client = pytest.importorskip("jupyter_client")

from conftest import ROOT  # noqa: E402


@pytest.fixture(scope="module")
def kernel_path(tmp_path_factory):
    """The kernel spec installed with `python -m lispe_py.kernel install --prefix DIR`."""
    prefix = tmp_path_factory.mktemp("jupyter")
    r = subprocess.run([sys.executable, "-m", "lispe_py.kernel", "install", "--prefix", str(prefix)],
                       capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "Installed the LispE kernel (name: lispe)" in r.stdout
    path = str(prefix / "share" / "jupyter")
    saved = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = path
    yield path
    if saved is None:
        os.environ.pop("JUPYTER_PATH", None)
    else:
        os.environ["JUPYTER_PATH"] = saved


@pytest.fixture(scope="module")
def kernel(kernel_path, tmp_path_factory):
    from jupyter_client.manager import start_new_kernel
    cwd = tmp_path_factory.mktemp("cells")
    km, kc = start_new_kernel(kernel_name="lispe", cwd=str(cwd),
                              env=dict(os.environ, PYTHONPATH=ROOT))
    kc.cwd = cwd
    yield km, kc
    kc.stop_channels()
    km.shutdown_kernel(now=True)


def collect(kc, msg_id, timeout=60):
    """The iopub messages of one request (type, content) until idle, and its reply."""
    out = []
    while True:
        m = kc.get_iopub_msg(timeout=timeout)
        if m["parent_header"].get("msg_id") != msg_id:
            continue
        t = m["msg_type"]
        if t == "status":
            if m["content"]["execution_state"] == "idle":
                break
            continue
        if t != "execute_input":
            out.append((t, m["content"]))
    while True:
        reply = kc.get_shell_msg(timeout=timeout)
        if reply["parent_header"].get("msg_id") == msg_id:
            return out, reply["content"]


def execute(kc, code, timeout=60):
    return collect(kc, kc.execute(code), timeout)


def test_kernel_spec(kernel_path):
    import json
    with open(os.path.join(kernel_path, "kernels", "lispe", "kernel.json")) as f:
        spec = json.load(f)
    assert spec["argv"][1:4] == ["-m", "lispe_py.kernel", "-f"]
    assert spec["language"] == "lispe" and spec["interrupt_mode"] == "signal"


def test_kernel_info(kernel):
    km, kc = kernel
    info = kc.kernel_info(reply=True)["content"]
    assert info["implementation"] == "lispe-py"
    assert info["language_info"]["name"] == "lispe"
    assert info["language_info"]["file_extension"] == ".lsp"


def test_output_streams_then_value(kernel):
    km, kc = kernel
    msgs, reply = execute(kc, '(println "hello")\n(+ 1 2)')
    assert reply["status"] == "ok"
    assert msgs == [("stream", {"name": "stdout", "text": "hello\n"}),
                    ("execute_result", {"execution_count": reply["execution_count"],
                                        "data": {"text/plain": "3"}, "metadata": {}})]


def test_cells_share_one_interpreter(kernel):
    km, kc = kernel
    execute(kc, '(defun sq (x) "the square of x" (* x x))')
    msgs, reply = execute(kc, "(sq 12)")
    assert msgs[-1][1]["data"]["text/plain"] == "144"
    msgs, _ = execute(kc, '(println "nothing to echo")')          # println's value is not shown
    assert [t for t, _ in msgs] == ["stream"]


def test_large_tensor_is_summarised(kernel):
    km, kc = kernel
    msgs, reply = execute(kc, "(torch_rand (integers 300 300))")
    text = msgs[-1][1]["data"]["text/plain"]
    assert text.startswith("tensor([[") and "..." in text
    assert text.endswith("[ CPUFloatType{300,300} ] (90000 values, summarised; println prints them all)")
    assert len(text.splitlines()) < 12


def test_error_with_position_and_calls(kernel):
    km, kc = kernel
    msgs, reply = execute(kc, "(defun f (x) (car x))\n(f 5)")
    assert reply["status"] == "error" and reply["ename"] == "LispEError"
    (t, content), = msgs
    assert t == "error"
    n = reply["execution_count"]
    assert content["traceback"][0] == "<cell %d>:1:14: Error: You cannot apply 'car' to: '5'" % n
    assert "    <cell %d>:2:1: (f 5)" % n in content["traceback"]
    msgs, reply = execute(kc, "(+ 1 2")
    assert msgs[0][1]["evalue"].endswith("1:1: Error: parentheses do not balance")


def test_string_over_two_lines(kernel):
    km, kc = kernel
    msgs, _ = execute(kc, '(setq s "abc\ndef")\n(size s)')
    assert msgs[-1][1]["data"]["text/plain"] == "7"


def test_complete_and_inspect(kernel):
    km, kc = kernel
    r = kc.complete("(torch_ran", 10, reply=True)["content"]
    assert r["matches"] == ["torch_rand", "torch_randint", "torch_randn"]
    assert (r["cursor_start"], r["cursor_end"]) == (1, 10)
    types = r["metadata"]["_jupyter_types_experimental"]
    assert types[0]["signature"] == "(torch_rand shape)"
    r = kc.inspect("(torch_rand (integers 2 3))", 5, reply=True)["content"]
    assert r["found"] and r["data"]["text/plain"].startswith("(torch_rand shape)\n")
    r = kc.inspect("(sq ", 4, reply=True)["content"]                 # the enclosing call
    assert r["data"]["text/plain"].startswith("(sq x)\n    the square of x")
    assert kc.inspect("(nosuchname", 5, reply=True)["content"]["found"] is False


def test_is_complete(kernel):
    km, kc = kernel
    msg_id = kc.is_complete("(defun f (x)")
    assert kc.get_shell_msg(timeout=30)["content"]["status"] == "incomplete"
    kc.is_complete("(+ 1 2)")
    assert kc.get_shell_msg(timeout=30)["content"]["status"] == "complete"


def test_plot_displays_inline(kernel):
    km, kc = kernel
    msgs, reply = execute(kc, '(torch_plot_losses (list 3 2 1.5 1) "loss.png")')
    assert reply["status"] == "ok"
    kinds = [t for t, _ in msgs]
    assert kinds == ["display_data", "execute_result"]
    assert set(msgs[0][1]["data"]) == {"image/png", "text/plain"}
    assert (kc.cwd / "loss.png").read_bytes()[:4] == b"\x89PNG"


def test_interrupt_stops_a_running_cell(kernel):
    km, kc = kernel
    msg_id = kc.execute('(println "start")\n(setq n 0)\n(while true (setq n (+ n 1)))')
    time.sleep(2)
    km.interrupt_kernel()
    msgs, reply = collect(kc, msg_id)
    assert reply["status"] == "error" and reply["ename"] == "KeyboardInterrupt"
    assert ("stream", {"name": "stdout", "text": "start\n"}) in msgs
    msgs, reply = execute(kc, "(> n 0)")                       # the kernel goes on, state kept
    assert msgs[-1][1]["data"]["text/plain"] == "true"


def test_tour_notebook_runs(kernel_path, tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    src = os.path.join(ROOT, "examples", "notebooks", "tour.ipynb")
    shutil.copy(src, tmp_path / "tour.ipynb")
    nb = nbformat.read(str(tmp_path / "tour.ipynb"), as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []          # the stored outputs are replaced by this run's
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="lispe",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute(env=dict(os.environ, PYTHONPATH=ROOT))
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    errors = [o for o in outputs if o.output_type == "error"]
    assert len(errors) == 1                        # the cell tagged raises-exception
    assert "  LispE calls, innermost last:" in errors[0].traceback
    images = [o for o in outputs if o.output_type == "display_data" and "image/png" in o.data]
    assert len(images) == 2
    assert (tmp_path / "loss.png").exists() and (tmp_path / "attention.png").exists()
    texts = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "Hello from LispE" in texts and "last loss" in texts
