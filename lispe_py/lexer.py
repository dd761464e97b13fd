"""A Pygments lexer for LispE (registered as the ``lispe`` lexer through an entry point)."""

import re

from pygments.lexer import RegexLexer, bygroups, words
from pygments.token import (Comment, Keyword, Name, Number, Operator, Punctuation, String,
                            Text, Whitespace)

__all__ = ["LispELexer"]

SPECIAL_FORMS = (
    "defun", "defmacro", "defpat", "defpred", "class@", "defclass", "from@", "lambda", "λ",
    "setq", "setg", "setqv", "setqi", "let", "if", "ife", "cond", "check", "ncheck", "select",
    "switch", "block", "loop", "loopcount", "dotimes", "mloop", "lloop", "while", "break",
    "return", "maybe", "catch", "quote", "and", "or", "andvalue", "load", "use", "eval",
    "data@", "defspace", "space", "trace", "throw",
)


def _builtin_names():
    try:
        from .builtins import registry
        import lispe_py.builtins  # noqa: F401
        return sorted(registry.BUILTINS, key=len, reverse=True)
    except Exception:   # the lexer must work even if the interpreter cannot load
        return []


class LispELexer(RegexLexer):
    """Lexer for LispE programs (``.lsp``, ``.lisp``)."""

    name = "LispE"
    aliases = ["lispe", "lispe-py"]
    filenames = ["*.lsp"]
    mimetypes = ["text/x-lispe"]
    flags = re.MULTILINE | re.UNICODE

    _sym_end = r"(?=[\s()\[\]{}'\"`;]|$)"

    tokens = {
        "root": [
            (r"\A#!.*?$", Comment.Hashbang),
            (r";;(.|\n)*?;;", Comment.Multiline),
            (r";.*?$", Comment.Single),
            (r"\s+", Whitespace),
            (r'"""(.|\n)*?"""', String),
            (r"`[^`]*`", String.Backtick),
            (r'"(\\\\|\\[^\\]|[^"\\])*"', String),
            (r"[+-]?0x[0-9a-fA-F]+", Number.Hex),
            (r"[+-]?0b[01]+", Number.Bin),
            (r"[+-]?\d+\.\d+([eE][+-]?\d+)?|[+-]?\d+[eE][+-]?\d+", Number.Float),
            (r"[+-]?\d+", Number.Integer),
            (r"'", Operator),
            (r"[()\[\]{}:]", Punctuation),
            (words(SPECIAL_FORMS, suffix=_sym_end), Keyword),
            (r"(true|nil|_|false)" + _sym_end, Keyword.Constant),
            (r"[-+*/%<>=&|^~!@?]+" + _sym_end, Operator),
            (r"[^\s()\[\]{}'\"`;:.]+", Name.Variable),
            (r".", Text),
        ],
    }

    def get_tokens_unprocessed(self, text, stack=("root",)):
        builtins = _BUILTINS()
        for index, token, value in RegexLexer.get_tokens_unprocessed(self, text, stack):
            if token is Name.Variable and value in builtins:
                yield index, Name.Builtin, value
            else:
                yield index, token, value


class _Lazy:
    names = None

    def __call__(self):
        if self.names is None:
            self.names = frozenset(_builtin_names())
        return self.names


_BUILTINS = _Lazy()
del bygroups
