"""Fast start-up for the reader: Lark's standalone parser, generated from
``grammar/lispe.lark`` into the user's cache folder on first use.

The grammar file stays the only definition of the syntax: the cached module is keyed by a
digest of the grammar text and of the installed Lark, and is rebuilt whenever either
changes. Importing the standalone module costs a fraction of importing Lark itself; when
the cache folder is not writable, the reader simply uses Lark directly."""

import zlib
import importlib.util
import os
import sys

PARSER_OPTIONS = dict(parser="lalr", lexer="basic", maybe_placeholders=False,
                      propagate_positions=False)


def _grammar_path():
    here = os.path.dirname(os.path.abspath(__file__))
    for p in (os.path.join(here, "grammar", "lispe.lark"), os.path.join(here, "..", "grammar", "lispe.lark")):
        if os.path.exists(p):
            return p
    spec = importlib.util.find_spec("lispe_py.grammar")
    return os.path.join(os.path.dirname(spec.origin), "lispe.lark")


def _digest():
    with open(_grammar_path(), "rb") as f:
        parts = [f.read()]
    spec = importlib.util.find_spec("lark")
    if spec is not None and spec.origin:
        lark_dir = os.path.dirname(spec.origin)
        for name in ("__init__.py", "lark.py", "tools/standalone.py"):
            try:
                st = os.stat(os.path.join(lark_dir, name))
                parts.append(("%s:%d:%d" % (name, st.st_size, int(st.st_mtime))).encode())
            except OSError:
                pass
    data = b"\0".join(parts)
    return "%08x%08x" % (zlib.crc32(data), zlib.adler32(data))


def _cache_dir():
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "lispe-py")


class _Standalone:
    def __init__(self, module):
        m = module
        self.Token = m.Token
        self.Transformer = m.Transformer
        self.LarkError = m.LarkError
        self.UnexpectedInput = m.UnexpectedInput
        self.VisitError = m.VisitError
        self._module = m

    def make_parser(self, grammar_text, postlex, transformer):
        return self._module.Lark_StandAlone(postlex=postlex, transformer=transformer)


class _Full:
    def __init__(self, target):
        import lark
        from lark.exceptions import LarkError, UnexpectedInput, VisitError
        self.Token = lark.Token
        self.Transformer = lark.Transformer
        self.LarkError = LarkError
        self.UnexpectedInput = UnexpectedInput
        self.VisitError = VisitError
        self._target = target

    def make_parser(self, grammar_text, postlex, transformer):
        import lark
        grammar_text = grammar_text()
        parser = lark.Lark(grammar_text, postlex=postlex, transformer=transformer, **PARSER_OPTIONS)
        if self._target is not None:
            _write_standalone(grammar_text, self._target)
        return parser


def _write_standalone(grammar_text, target):
    """Generate the standalone parser module for the next start-up (atomically)."""
    try:
        import io
        import lark
        from lark.tools.standalone import gen_standalone

        # the post-lexer and transformer are supplied when the module is used
        inst = lark.Lark(grammar_text, **PARSER_OPTIONS)
        buf = io.StringIO()
        gen_standalone(inst, out=buf, compress=True)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        tmp = "%s.%d.tmp" % (target, os.getpid())
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(buf.getvalue())
        os.replace(tmp, target)
    except Exception:   # a cache is an optimisation: never fail the reader for it
        pass


def backend():
    """The parser backend: the cached standalone module when available, else Lark."""
    if os.environ.get("LISPE_PY_NO_PARSER_CACHE"):
        return _Full(None)
    try:
        target = os.path.join(_cache_dir(), "lispe_parser_%s.py" % _digest())
    except OSError:
        return _Full(None)
    if os.path.exists(target):
        try:
            spec = importlib.util.spec_from_file_location("lispe_py_standalone_parser", target)
            module = importlib.util.module_from_spec(spec)
            # the generated code tries the third-party `regex` module first; the grammar
            # needs only `re`, and importing `regex` would double the reader's start-up
            blocked = "regex" not in sys.modules
            if blocked:
                sys.modules["regex"] = None
            try:
                spec.loader.exec_module(module)
            finally:
                if blocked and sys.modules.get("regex", 0) is None:
                    del sys.modules["regex"]
            sys.modules.setdefault("lispe_py_standalone_parser", module)
            return _Standalone(module)
        except Exception:
            pass
    return _Full(target)
