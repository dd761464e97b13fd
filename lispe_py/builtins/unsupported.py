"""Names the real LispE interpreter knows and lispe-py does not support yet, with the reason.

An unbound atom found here raises ``'<name>' is not supported yet in lispe-py`` instead of
``Unbound atom``. ``tools/compare_builtins.py`` reads this table to write docs/builtins.md."""

from ..errors import LispEError

_THREADS = "threads are not available"
_RGX = "LispE's own regular expression syntax is not implemented"
_ONTO = "ontologies are not implemented"
_FILES = "file streams are not implemented (use fread, fwrite, fappend)"
_TOKEN = "LispE's rule-based tokenizer is not implemented"
_RANDOM = "random distributions are not implemented"
_INTERNAL = "internal to the C++ interpreter"

UNSUPPORTED = {}


def _add(reason, names):
    for n in names.split():
        UNSUPPORTED[n] = reason


_add(_TOKEN, "tokenizer_main segmenter tokenizer_rules tokenize_rules tokenizer tokenizer_display "
             "tokenize get_tokenizer_rules set_tokenizer_rules get_tokenizer_operators "
             "set_tokenizer_operators segment_e")
_add("dynamic C++ libraries cannot be loaded (the torch library is built in)",
     "deflib deflibpat")
_add("Prolog-like clauses are not implemented", "defprol cut_")
_add("the real LispE reads it as two atoms (↑ ↑): no program can call it", "↑↑")
_add("not implemented yet", "shift convert_in_base")


def unsupported_error(name):
    """The error for a name LispE has and lispe-py lacks, or None."""
    reason = UNSUPPORTED.get(name)
    if reason is None:
        return None
    return LispEError("'%s' is not supported yet in lispe-py: %s" % (name, reason))
