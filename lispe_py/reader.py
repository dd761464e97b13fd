"""Reader: LispE source text -> LispE values (code lists are :class:`Form` with positions).

The syntax is defined by ``grammar/lispe.lark``; this module adds what a context-free
grammar cannot say: LispE's super-bracket (a ``]`` with no matching ``[`` closes every
open parenthesis), the balance errors, composition ``(f . g x)`` and the conversion of
tokens into values.
"""

import os

from .numparse import lispe_decimal
from ._parser_cache import backend as _backend

_LARK = _backend()
Token = _LARK.Token
Transformer = _LARK.Transformer
LarkError = _LARK.LarkError
UnexpectedInput = _LARK.UnexpectedInput
VisitError = _LARK.VisitError

from .errors import LispEError
from .values import EMPTY, Atom, Complex, Form, Float32, StringByte, wrap64  # noqa: F401  (Float32 re-exported for users)

__all__ = ["read", "read_one", "ReaderError"]

ReaderError = LispEError

# Names the reader writes in their canonical spelling (LispE prints them this way).
CANONICAL = {
    "**": "^^", "atom?": "atomp", "null?": "nullp", "number?": "numberp",
    "string?": "stringp", "cons?": "consp", "zero?": "zerop", "empty?": "emptyp",
    "lower?": "lowerp", "upper?": "upperp", "alpha?": "alphap", "digit?": "digitp",
    "vowel?": "vowelp", "consonant?": "consonantp", "punctuation?": "punctuationp",
    "λ": "λ", "\\": "λ", "lambda": "λ", "false": "nil", "_": "nil",
}

DOT = Atom(".")
QUOTE = Atom("quote")


def _grammar_text():
    from importlib import resources
    try:
        return resources.files("lispe_py.grammar").joinpath("lispe.lark").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError, TypeError):
        here = os.path.dirname(os.path.abspath(__file__))
        with open(os.path.join(here, "..", "grammar", "lispe.lark"), encoding="utf-8") as f:
            return f.read()


class _Brackets:
    """Post-lexer: matches ( [ { with ) ] }, implements the super-bracket, reports imbalance."""

    always_accept = ()

    def process(self, stream):
        stack = []   # (kind, token) with kind in "(", "[", "{"
        last = None
        for tok in stream:
            last = tok
            t = tok.type
            if t == "LPAR":
                stack.append((tok.value, tok))
            elif t == "LBRACE":
                stack.append(("{", tok))
            elif t == "RPAR":
                if tok.value == ")":
                    if not stack:
                        raise LispEError("parentheses do not balance", line=tok.line, column=tok.column)
                    kind, opener = stack[-1]
                    if kind == "{":
                        raise LispEError("braces do not balance", line=opener.line, column=opener.column)
                    stack.pop()
                    yield Token.new_borrow_pos("RPAR", ")", tok)
                    continue
                else:   # "]": close up to the matching "[", or everything
                    if not stack:
                        raise LispEError("brackets do not balance", line=tok.line, column=tok.column)
                    while stack:
                        kind, opener = stack[-1]
                        if kind == "{":
                            raise LispEError("braces do not balance", line=opener.line, column=opener.column)
                        stack.pop()
                        yield Token.new_borrow_pos("RPAR", ")", tok)
                        if kind == "[":
                            break
                    continue
            elif t == "RBRACE":
                if not stack or stack[-1][0] != "{":
                    raise LispEError("braces do not balance", line=tok.line, column=tok.column)
                stack.pop()
            yield tok
        if stack:
            # the position is the innermost bracket never closed (where one is missing)
            kind, opener = stack[-1]
            msg = {"(": "parentheses do not balance", "[": "brackets do not balance",
                   "{": "braces do not balance"}[kind]
            if any(k == "[" for k, _ in stack):
                msg = "brackets do not balance"
            elif any(k == "{" for k, _ in stack):
                msg = "braces do not balance"
            err = LispEError(msg, line=opener.line, column=opener.column)
            note = "the '%s' at %d:%d is never closed" % (opener.value, opener.line, opener.column)
            if len(stack) > 1:
                first = stack[0][1]
                note += " (%d brackets are still open at the end, the first at %d:%d)" % (
                    len(stack), first.line, first.column)
            err.notes.append(note)
            raise err


def _string_escape(body):
    if "\\" not in body:
        return body
    out = []
    i = 0
    n = len(body)
    while i < n:
        c = body[i]
        if c == "\\" and i + 1 < n:
            d = body[i + 1]
            out.append({"n": "\n", "r": "\r", "t": "\t"}.get(d, d))
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _int_literal(text, base):
    sign = 1
    if text[0] in "+-":
        sign = -1 if text[0] == "-" else 1
        text = text[1:]
    if base != 10:
        text = text[2:]
    return wrap64(sign * int(text, base))


def token_value(tok):
    """Convert one token to its LispE value."""
    t = tok.type
    v = tok.value
    if t == "INT":
        return _int_literal(v.rstrip("."), 10)
    if t == "FLOAT":
        return lispe_decimal(v)         # as LispE computes it, not the nearest double
    if t == "HEX":
        if "." in v or "p" in v or "P" in v:
            sign = -1.0 if v.startswith("-") else 1.0
            body = v.lstrip("+-")
            if "p" not in body and "P" not in body:
                body += "p0"
            return sign * float.fromhex(body)
        return _int_literal(v, 16)
    if t == "BIN":
        return _int_literal(v, 2)
    if t == "STRING":
        return _string_escape(v[1:-1])
    if t == "TRIPLE":
        return v[3:-3]
    if t == "RAW":
        return v[1:-1]
    if t == "BSTRING":
        return StringByte(_string_escape(v[2:-1]))
    if t == "BRAW":
        return Atom(v)
    if t == "COMPLEX":
        re_, im = v[:-1].split(",")
        return Complex(lispe_decimal(re_), lispe_decimal(im))
    if t == "COLON":
        return Atom(":")
    if t == "QSEMI":
        return Form([QUOTE, Atom(";")], (tok.line, tok.column), [None, None])
    if t == "DQUOTE":
        return Atom('"')
    name = CANONICAL.get(v, v)
    if name == "nil":
        return None
    if name == "true":
        from .values import TRUE
        return TRUE
    return Atom(name)


def _pos(x):
    if isinstance(x, Token):
        return (x.line, x.column)
    return getattr(x, "pos", None)


def _value(x):
    return token_value(x) if isinstance(x, Token) else x


# lists written with "." (composition) during the current parse: id -> (form, written items),
# so that a quote can give LispE's reading of a quoted dotted list
_WRITTEN = {}


def _compose(items, poss, pos):
    """(f a . g b . h c) -> (f a (g b (h c)))"""
    if DOT not in items:
        return Form(items, pos, poss)
    i = items.index(DOT)
    head, hposs = items[:i], poss[:i]
    rest = _compose(items[i + 1:], poss[i + 1:], poss[i + 1] if i + 1 < len(poss) else pos)
    if len(rest) == 0:
        out = Form(head, pos, hposs)
    else:
        out = Form(head + [rest], pos, hposs + [rest.pos])
    _WRITTEN[id(out)] = (out, items)
    return out


def _quoted_dots(x, pos):
    """LispE's reading of a quoted list holding ``.``: an empty atom in front and one in
    place of each dot: '(a . b) is ( a  b) (four elements)."""
    items = _WRITTEN[id(x)][1]
    if items and items[0] is DOT:
        raise LispEError("Wrong use of '.'", line=pos[0], column=pos[1])
    out = [EMPTY]
    for y in items:
        out.append(EMPTY if y is DOT else y)
    return Form(out, x.pos, [None] * len(out))


class _Build(Transformer):
    def start(self, children):
        return [_value(c) for c in children], [_pos(c) for c in children]

    def list(self, children):
        lpar = children[0]
        items = []
        poss = []
        for c in children[1:-1]:
            if isinstance(c, Token) and c.type == "DOT":
                items.append(DOT)
                poss.append((c.line, c.column))
            elif isinstance(c, Token) and c.type == "COLON":
                items.append(Atom(":"))
                poss.append((c.line, c.column))
            else:
                items.append(_value(c))
                poss.append(_pos(c))
        return _compose(items, poss, (lpar.line, lpar.column))

    def quoted(self, children):
        q, x = children
        if isinstance(x, Token) and x.type == "DOT":
            v = DOT
        elif isinstance(x, Token) and x.type == "COLON":
            v = Atom(":")
        else:
            v = _value(x)
            if isinstance(v, Form) and id(v) in _WRITTEN and _WRITTEN[id(v)][0] is v:
                v = _quoted_dots(v, (q.line, q.column))
        return Form([QUOTE, v], (q.line, q.column), [(q.line, q.column), _pos(x)])

    def braces(self, children):
        lb = children[0]
        pos = (lb.line, lb.column)
        inner = children[1:-1]
        if not inner:
            return Form([Atom("key@")], pos, [pos])
        colons = [c for c in inner if isinstance(c, Token) and c.type == "COLON"]
        if not colons:            # a set
            first = inner[0]
            kind = "sets"
            if isinstance(first, Token):
                if first.type in ("INT", "HEX", "BIN"):
                    kind = "seti"
                elif first.type == "FLOAT":
                    kind = "setn"
            return Form([Atom(kind)] + [_value(c) for c in inner], pos, [pos] + [_pos(c) for c in inner])
        # key : value pairs
        pairs = []
        i = 0
        n = len(inner)
        while i < n:
            k = inner[i]
            if isinstance(k, Token) and k.type == "COLON":
                raise LispEError("wrong key/value separator in a dictionary", line=k.line, column=k.column)
            if i + 1 >= n or not (isinstance(inner[i + 1], Token) and inner[i + 1].type == "COLON"):
                raise LispEError("dictionary has a different number of key/value", line=pos[0], column=pos[1])
            if i + 2 >= n:
                raise LispEError("dictionary has a different number of key/value", line=pos[0], column=pos[1])
            v = inner[i + 2]
            if isinstance(v, Token) and v.type == "COLON":
                raise LispEError("wrong key/value separator in a dictionary", line=v.line, column=v.column)
            pairs.append((k, v))
            i += 3
        first = pairs[0][0]
        op = "key@"
        if isinstance(first, Token):
            if first.type in ("INT", "HEX", "BIN"):
                op = "keyi@"
            elif first.type == "FLOAT":
                op = "keyn@"
        items = [Atom(op), Form([Atom(op)], pos, [pos])]
        poss = [pos, pos]
        for k, v in pairs:
            items += [_value(k), _value(v)]
            poss += [_pos(k), _pos(v)]
        return Form(items, pos, poss)


_parser = None


def _get_parser():
    global _parser
    if _parser is None:
        _parser = _LARK.make_parser(_grammar_text, _Brackets(), _Build())
    return _parser


# Sources read under these names (the REPL's input, notebook cells) may hold "..." strings
# that span lines, as a user typing Enter inside a string expects; programs read from files
# follow LispE, where a "..." string ends with its line.
INTERACTIVE = {"<repl>", "<cell>"}


def _interactive(filename):
    return filename in INTERACTIVE or (type(filename) is str and filename.startswith("<cell "))


def read(source, filename=None):
    """Parse a whole program. Returns ``(forms, positions)``; raises LispEError."""
    if source.startswith("#!"):
        nl = source.find("\n")
        source = "" if nl < 0 else source[nl:]
    if not source.strip():
        return [], []
    if _interactive(filename) and "\n" in source and '"' in source:
        joined, where = join_string_lines(source)
        if where is not None:
            try:
                forms, poss = _read(joined, filename)
            except LispEError as e:
                if e.line is not None:
                    e.line, e.column = where(e.line, e.column)
                raise
            _repositioned(forms, where)
            return forms, [where(*p) if p is not None else None for p in poss]
    return _read(source, filename)


def join_string_lines(source):
    """Rewrite "..." strings that span lines so that LispE's reader takes them: each line
    break inside becomes the escape ``\\n`` and the line breaks themselves move right after
    the closing quote, so every other token keeps its line. Returns ``(text, where)`` where
    ``where(line, column)`` maps a position in ``text`` back to ``source``; ``where`` is None
    when no string spans lines (``text`` is then ``source``)."""
    out = []
    orig = []            # for each character of out, its (line, column) in source
    i, n = 0, len(source)
    line, col = 1, 1
    changed = False

    def copy(j):          # copy source[i:j] verbatim
        nonlocal i, line, col
        while i < j:
            c = source[i]
            out.append(c)
            orig.append((line, col))
            if c == "\n":
                line, col = line + 1, 1
            else:
                col += 1
            i += 1

    while i < n:
        c = source[i]
        if c == ";":
            if source.startswith(";;", i):
                j = source.find(";;", i + 2)
                if j >= 0:
                    copy(j + 2)
                    continue
            j = source.find("\n", i)
            copy(n if j < 0 else j)
            continue
        if c == '"' and source.startswith('"""', i):
            j = source.find('"""', i + 3)
            copy(n if j < 0 else j + 3)
            continue
        if c == "`":
            j = source.find("`", i + 1)
            copy(n if j < 0 else j + 1)
            continue
        if c != '"':
            copy(i + 1)
            continue
        # a "..." string: find its end, across lines
        j = i + 1
        breaks = 0
        while j < n and source[j] != '"':
            if source[j] == "\\" and j + 1 < n:
                if source[j + 1] == "\n":
                    breaks += 1
                j += 2
                continue
            if source[j] == "\n":
                breaks += 1
            j += 1
        if j >= n or breaks == 0:       # unterminated, or on one line: as it is
            copy(i + 1 if j >= n else j + 1)
            continue
        changed = True
        start = (line, col)
        k = i
        while k <= j:
            ch = source[k]
            if ch == "\\" and k + 1 < j and source[k + 1] == "\n":
                out.append("\\n")
                orig.append(start)
                k += 2
                line, col = line + 1, 1
                continue
            if ch == "\\" and k + 1 < j:
                out.append(ch + source[k + 1])
                orig.append(start)
                k += 2
                col += 2
                continue
            if ch == "\n":
                out.append("\\n")
                orig.append(start)
                line, col = line + 1, 1
            else:
                out.append(ch)
                orig.append(start)
                col += 1
            k += 1
        for _ in range(breaks):
            out.append("\n")
            orig.append((line, col))
        i = j + 1
    if not changed:
        return source, None
    text = "".join(out)
    table = {}
    nl, nc = 1, 1
    for piece, o in zip(out, orig):
        for ch in piece:
            table[(nl, nc)] = o
            if ch == "\n":
                nl, nc = nl + 1, 1
            else:
                nc += 1

    def where(l, c):
        return table.get((l, c), (l, c))
    return text, where


def _repositioned(forms, where):
    """Map every position of the read forms back through ``where``."""
    stack = [f for f in forms if isinstance(f, Form)]
    seen = set()
    while stack:
        f = stack.pop()
        if id(f) in seen:
            continue
        seen.add(id(f))
        if f.pos is not None:
            f.pos = where(*f.pos)
        if f.poss is not None:
            f.poss = [where(*p) if p is not None else None for p in f.poss]
        stack.extend(x for x in f if isinstance(x, Form))


def _read(source, filename):
    _WRITTEN.clear()
    try:
        return _get_parser().parse(source)
    except LispEError as e:
        e.file = filename
        raise
    except VisitError as e:
        err = e.orig_exc
        if isinstance(err, LispEError):
            err.file = filename
            raise err
        raise
    except UnexpectedInput as e:
        line = getattr(e, "line", None)
        col = getattr(e, "column", None)
        tok = getattr(e, "token", None)
        if tok is not None and getattr(tok, "type", None) == "$END":
            raise LispEError("parentheses do not balance", filename, line, col)
        ch = getattr(e, "char", None) or (tok.value if tok is not None else "?")
        raise LispEError(f"unexpected character: '{ch}'", filename, line, col)
    except LarkError as e:
        raise LispEError(f"syntax error: {e}", filename, 1, 1)
    finally:
        _WRITTEN.clear()


def read_one(source):
    """Parse and return the first form of ``source`` (None if there is none)."""
    forms, _ = read(source)
    return forms[0] if forms else None
