"""Plots (lispe-py): loss curves and attention maps as PNG files, through matplotlib.

``(torch_plot_losses losses "loss.png")`` and ``(torch_plot_attention weights
"attention.png")`` write a PNG (the path is returned); in the Jupyter kernel the figure is
also shown inline, and a nil path shows it without writing a file.
``(torch_attention_weights module x)`` gives the attention weights an attention module
computes for x — the matrix flash attention never builds — ready for torch_plot_attention.

matplotlib is an optional dependency (``pip install 'lispe-py[plot]'``); the figures are drawn
with its object API on an off-screen canvas, so no window opens and no global backend is set.
"""

import base64
import io

from lispe_py.builtins.registry import builtin
from lispe_py.errors import LispEError
from lispe_py.sandbox import guard_path
from lispe_py.torch._lazy import torch
from lispe_py.torch.convert import read_int, to_tensor
from lispe_py.values import TRUE, to_string

__all__ = ["torch_plot_losses", "torch_plot_attention", "torch_attention_weights"]


def _figure(width=6.4, height=4.0):
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise LispEError("plots need matplotlib: pip install 'lispe-py[plot]' "
                         "(or pip install matplotlib)") from None
    return Figure(figsize=(width, height), dpi=100, layout="constrained")


def _finish(interp, fig, path):
    """Save ``fig`` to ``path`` (PNG) and show it inline where the host can display images."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    png = buf.getvalue()
    if path is not None:
        path = to_string(path)
        guard_path(path)
        try:
            with open(path, "wb") as f:
                f.write(png)
        except OSError as e:
            raise LispEError("cannot write the plot to %s: %s" % (path, e.strerror or e)) from None
    display = getattr(interp, "display", None)
    if display is not None:
        display({"image/png": base64.b64encode(png).decode("ascii"),
                 "text/plain": "<plot%s>" % ("" if path is None else " " + path)})
    elif path is None:
        raise LispEError("a plot needs a file name outside a notebook: "
                         "(torch_plot_losses losses \"loss.png\")")
    return path if path is not None else TRUE


def _series(x):
    """A list of numbers from a LispE list, a typed list or a 1-D tensor."""
    if isinstance(x, torch.Tensor):
        return [float(v) for v in x.detach().reshape(-1).cpu().tolist()]
    if isinstance(x, (list, tuple)):
        out = []
        for v in x:
            if isinstance(v, torch.Tensor):
                if v.numel() != 1:
                    raise LispEError("torch_plot_losses: a tensor in the list must hold one value")
                out.append(float(v.item()))
            elif isinstance(v, (int, float)) and not isinstance(v, bool):
                out.append(float(v))
            else:
                raise LispEError("torch_plot_losses: not a number: '%s'" % to_string(v))
        return out
    raise LispEError("torch_plot_losses: the losses must be a list of numbers or a 1-D tensor")


def _curves(losses):
    """[(label, values)]: one list, a list of lists, or a dictionary label -> list."""
    if isinstance(losses, dict):
        return [(to_string(k), _series(v)) for k, v in losses.items()]
    if isinstance(losses, (list, tuple)) and losses and all(
            isinstance(v, (list, tuple)) or (isinstance(v, torch.Tensor) and v.numel() > 1)
            for v in losses):
        return [("curve %d" % (i + 1), _series(v)) for i, v in enumerate(losses)]
    return [(None, _series(losses))]


@builtin("torch_plot_losses", interp=True, library=True)
def torch_plot_losses(interp, env, losses, path=None, title=None):
    """(torch_plot_losses losses [path] [title]): plot a loss curve (a list of numbers or a 1-D
    tensor; a list of lists or a dictionary name -> list draws several curves) into the PNG file
    path; in Jupyter the plot also shows inline (a nil path: only there). Returns path."""
    curves = _curves(losses)
    if not any(values for _, values in curves):
        raise LispEError("torch_plot_losses: no values to plot")
    fig = _figure()
    ax = fig.subplots()
    for label, values in curves:
        ax.plot(range(1, len(values) + 1), values, marker="o" if len(values) <= 30 else None,
                markersize=3, label=label)
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.set_title("Loss" if title is None else to_string(title))
    ax.grid(True, alpha=0.3)
    if any(label for label, _ in curves):
        ax.legend()
    return _finish(interp, fig, path)


def _matrix(weights, head):
    """A 2-D tensor from a 2-D one, or one head of a [H, S, S] or [B, H, S, S] one."""
    w = to_tensor(weights).detach().to("cpu", torch.float32)
    if head is None:
        b, h = 0, 0
    elif isinstance(head, (list, tuple)):
        if len(head) != 2:
            raise LispEError("torch_plot_attention: head is a number or a list (batch head)")
        b, h = read_int(head[0]), read_int(head[1])
    else:
        b, h = 0, read_int(head)
    if w.dim() == 4:
        if not (0 <= b < w.shape[0] and 0 <= h < w.shape[1]):
            raise LispEError("torch_plot_attention: no head %d of batch %d in weights of shape %s"
                             % (h, b, list(w.shape)))
        w = w[b, h]
    elif w.dim() == 3:
        if not 0 <= h < w.shape[0]:
            raise LispEError("torch_plot_attention: no head %d in weights of shape %s" % (h, list(w.shape)))
        w = w[h]
    elif w.dim() != 2:
        raise LispEError("torch_plot_attention: the weights must be a 2-D tensor or [heads, S, S] "
                         "or [batch, heads, S, S]")
    return w, b, h


@builtin("torch_plot_attention", interp=True, library=True)
def torch_plot_attention(interp, env, weights, path=None, head=None, tokens=None, title=None):
    """(torch_plot_attention weights [path] [head 0] [tokens] [title]): draw attention weights as a
    heat map into the PNG file path: a 2-D tensor, or one head of [H, S, S] or [B, H, S, S] weights
    (head: a number, or (batch head)); tokens (a list of strings) label the axes. Returns path."""
    w, b, h = _matrix(weights, head)
    rows, cols = w.shape
    side = max(3.5, min(10.0, 0.32 * max(rows, cols) + 2.0))
    fig = _figure(side + 1.2, side)
    ax = fig.subplots()
    im = ax.imshow(w.numpy(), cmap="viridis", aspect="auto", interpolation="nearest")
    fig.colorbar(im, ax=ax, shrink=0.85, label="weight")
    ax.set_xlabel("key position")
    ax.set_ylabel("query position")
    if tokens is not None:
        labels = [to_string(t) for t in tokens]
        if len(labels) >= cols:
            ax.set_xticks(range(cols), labels[:cols], rotation=90)
        if len(labels) >= rows:
            ax.set_yticks(range(rows), labels[:rows])
    dims = to_tensor(weights).dim()
    default = "Attention weights" + ("" if dims == 2 else " (head %d%s)" % (h, "" if dims == 3 else ", batch %d" % b))
    ax.set_title(default if title is None else to_string(title))
    return _finish(interp, fig, path)


@builtin("torch_attention_weights", library=True)
def torch_attention_weights(module, x, mask=None):
    """(torch_attention_weights module x [mask]): the attention weights softmax(q kT/sqrt(d) + mask)
    that an attention module (torch_flash_attention_create, torch_multihead_attention,
    torch_transformer_block) computes for the self-attention of x ([batch, seq, E], or the block's
    own layout): a [batch, heads, seq, seq] tensor ([heads, seq, seq] for an [seq, E] input).
    mask: a tensor as for the module's forward, or true for causal attention."""
    weights_of = getattr(module, "attention_weights", None)
    if weights_of is None:
        raise LispEError("torch_attention_weights: the first argument must be an attention module "
                         "(flash attention, multi-head attention or transformer block), not '%s'"
                         % to_string(module))
    t = to_tensor(x)
    causal = mask is TRUE or (isinstance(mask, str) and mask == "causal")
    m = None if mask is None or causal else to_tensor(mask)
    if m is not None and m.dtype != torch.bool and not m.dtype.is_floating_point:
        m = m != 0
    try:
        with torch.no_grad():
            return weights_of(t, m, causal)
    except RuntimeError as e:
        raise LispEError("torch_attention_weights: %s" % str(e).splitlines()[0]) from None
