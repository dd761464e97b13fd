"""``torch_progress``: a progress bar (tqdm) on stderr for long loops (lispe-py).

``(torch_progress i total [label])`` draws ``label:  45%|████▌     | 450/1000 [00:12<00:14, 37.1step/s]``
on stderr and ends the bar when ``i >= total``. ``i`` counts the steps done (0..total; a
loop over ``(range 0 total 1)`` may pass ``(+ epoch 1)``); ``label`` is any value (a loss,
for instance, shows up updated). A step number lower than the last one starts a new bar.

While a bar is on the screen, what the program prints (``println``, ``printerr``...) goes
above it: the bar is cleared, the text written, the bar drawn again, so the two never run
into each other. Nothing is drawn when stderr is not a terminal (output piped or
redirected) unless the interpreter asks for bars (the Jupyter kernel does), so programs
stay silent in scripts and tests; stdout is never touched. Returns true."""

from lispe_py.torch._helpers import lib, read_int
from lispe_py.values import TRUE, to_string

__all__ = ["torch_progress", "close_all"]

_active = {}     # id(interp) -> _Bar


class _Guarded:
    """A text stream that moves the progress bar out of the way of what is written."""

    def __init__(self, stream, owner):
        self._stream = stream
        self._owner = owner

    def write(self, s):
        bar = self._owner.bar
        if bar is None:
            return self._stream.write(s)
        bar.clear()
        n = self._stream.write(s)
        self._stream.flush()
        if s.endswith("\n"):
            bar.refresh()
        return n

    def flush(self):
        self._stream.flush()

    def __getattr__(self, name):
        return getattr(self._stream, name)


class _Bar:
    def __init__(self, interp, total, label):
        from tqdm import tqdm
        self.interp = interp
        self.out, self.err = interp.stdout, interp.stderr
        self.bar = tqdm(total=total, desc=label or None, file=self.err, unit="step",
                        dynamic_ncols=True, leave=True, mininterval=0.1)
        self.label = label
        interp.stdout = _Guarded(self.out, self)
        interp.stderr = _Guarded(self.err, self)

    def update(self, n, label):
        bar = self.bar
        if label != self.label:
            self.label = label
            bar.set_description_str(label, refresh=False)
        if n > bar.n:
            bar.update(n - bar.n)

    def close(self):
        bar, self.bar = self.bar, None
        if bar is not None:
            bar.close()
        interp = self.interp
        if isinstance(interp.stdout, _Guarded) and interp.stdout._owner is self:
            interp.stdout = self.out
        if isinstance(interp.stderr, _Guarded) and interp.stderr._owner is self:
            interp.stderr = self.err


def _wanted(interp):
    if getattr(interp, "progress_bars", False):
        return True
    err = interp.stderr
    if isinstance(err, _Guarded):
        return True
    try:
        return err.isatty()
    except (AttributeError, ValueError):
        return False


def close_all():
    """End every open bar (a program stopped before its last step, or failed)."""
    for key in list(_active):
        _active.pop(key).close()


@lib("torch_progress", interp=True)
def torch_progress(interp, env, i, total, label=None):
    """(torch_progress i total [label]): draw or update a progress bar on stderr (only when stderr
    is a terminal; silent when piped); the bar ends when i reaches total. Returns true."""
    if not _wanted(interp):
        return TRUE
    n, t = read_int(i), read_int(total)
    text = "" if label is None else to_string(label)
    key = id(interp)
    bar = _active.get(key)
    if bar is not None and (bar.bar is None or bar.bar.total != t or n <= 0 or n < bar.bar.n):
        _active.pop(key).close()
        bar = None
    if bar is None:
        bar = _active[key] = _Bar(interp, t, text)
    bar.update(n, text)
    if n >= t:
        _active.pop(key, None)
        bar.close()
    return TRUE
