"""Names the real LispE interpreter knows and lispe-py does not support yet, with the reason.

An unbound atom found here raises ``'<name>' is not supported yet in lispe-py`` instead of
``Unbound atom``. ``tools/compare_builtins.py`` reads this table to write docs/builtins.md."""

from ..errors import LispEError

UNSUPPORTED = {}


def _add(reason, names):
    for n in names.split():
        UNSUPPORTED[n] = reason


_add("dynamic C++ libraries cannot be loaded (the torch library is built in)",
     "deflib deflibpat")
_add("the real LispE reads it as two atoms (↑ ↑): no program can call it", "↑↑")


def unsupported_error(name):
    """The error for a name LispE has and lispe-py lacks, or None."""
    reason = UNSUPPORTED.get(name)
    if reason is None:
        return None
    return LispEError("'%s' is not supported yet in lispe-py: %s" % (name, reason))
