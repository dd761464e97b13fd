"""``torch_progress``: a one-line progress bar on stderr for long loops (lispe-py).

``(torch_progress i total [label])`` draws ``label [#########-----------]  450/1000  45% 0:12<0:14``
on stderr, rewriting the same line (carriage return), and ends the line when ``i >= total``.
``i`` counts the steps done (0..total; a loop over ``(range 0 total 1)`` may pass ``(+ epoch 1)``),
``label`` is any value (a loss, for instance, shows up updated). Nothing is written when stderr
is not a terminal (output piped or redirected), so programs stay silent in scripts and tests;
stdout is never touched. Redraws are limited to about 20 per second. Returns true.
"""

import sys
import time

from lispe_py.builtins.registry import builtin
from lispe_py.torch.convert import read_int
from lispe_py.values import TRUE, to_string

__all__ = ["progress_line", "torch_progress"]

WIDTH = 30
_state = {"last": 0.0, "start": None, "total": None}


def _clock(seconds):
    seconds = int(seconds)
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return ("%d:%02d:%02d" % (h, m, s)) if h else ("%d:%02d" % (m, s))


def progress_line(i, total, label="", elapsed=None):
    """The text of the bar for step i of total (no carriage return)."""
    total = max(total, 0)
    i = min(max(i, 0), total) if total else i
    frac = (i / total) if total else 1.0
    filled = int(WIDTH * frac)
    bar = "#" * filled + "-" * (WIDTH - filled)
    width = len(str(total))
    text = "%s[%s] %*d/%d %3d%%" % ((label + " ") if label else "", bar, width, i, total,
                                    int(frac * 100))
    if elapsed is not None:
        text += " " + _clock(elapsed)
        if 0 < i < total:
            text += "<" + _clock(elapsed * (total - i) / i)
    return text


@builtin("torch_progress", library=True)
def torch_progress(i, total, label=None):
    """(torch_progress i total [label]): draw or update a progress bar on stderr (only when stderr
    is a terminal; silent when piped); the line ends when i reaches total. Returns true."""
    err = sys.stderr
    try:
        tty = err.isatty()
    except (AttributeError, ValueError):
        tty = False
    if not tty:
        return TRUE
    n, t = read_int(i), read_int(total)
    now = time.monotonic()
    if _state["start"] is None or _state["total"] != t or n <= 0:
        _state["start"] = now
        _state["total"] = t
    done = n >= t
    if not done and now - _state["last"] < 0.05:
        return TRUE
    _state["last"] = now
    text = progress_line(n, t, "" if label is None else to_string(label), now - _state["start"])
    err.write("\r" + text + "\x1b[K" + ("\n" if done else ""))
    err.flush()
    if done:
        _state["start"] = None
        _state["last"] = 0.0
    return TRUE
