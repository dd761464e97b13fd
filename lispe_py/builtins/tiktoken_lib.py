"""LispE's ``lispe_tiktoken`` library: BPE tokenizers built from a Hugging Face ``tokenizer.json``.

Loaded by ``(use 'lispe_tiktoken)`` (see :mod:`lispe_py.libraries`); the ``tiktoken`` package is
imported by the first ``tiktoken_create``. The names, argument lists, results and error texts
are those of naver/lispe ``lispetiktoken/src/lispe_tiktoken.cxx``::

    (tiktoken_create vocab special_tokens pattern)   -> a tokenizer (LispE type tiktoken_)
    (tiktoken_encode tok text)                       -> integers (special tokens honoured)
    (tiktoken_decode tok ids)                        -> string
    (tiktoken_special_encode tok text)               -> id of a special token, or -1
    (tiktoken_vocab_size tok)                        -> size of the BPE vocabulary
    (tiktoken_set_space tok str) (tiktoken_add_meta tok meta repl)
    (tiktoken_remove_meta tok meta) (tiktoken_list_meta tok [metas])
    (tiktoken_decode_bytes tok ids) (tiktoken_decode_single_token_bytes tok id)
    (tiktoken_token_byte_values tok)

How the C++ reads its arguments, and what we do with it:

* ``vocab``: a string-keyed dictionary ``token -> id``. When every character of every key belongs
  to the GPT-2 "byte-level" alphabet (``Ġ`` for the space byte...), the keys are mapped back to
  the bytes they stand for; otherwise (a SentencePiece-style vocabulary) a key is its UTF-8 text,
  a leading space of a regex piece is written ``Ġ`` and a leading newline ``Ċ`` before lookup, and
  ``tiktoken_decode`` replaces the meta-characters (``Ġ`` -> space...) in its result.
* ``special_tokens``: the ``added_tokens`` list, ``{"content" ... "id" ...}`` dictionaries. All
  of them are matched in the text before the BPE runs, the longest at the leftmost position.
* ``pattern``: the split regex. Text between two specials is cut by the regex and each piece is
  looked up whole, then BPE-merged with the ids used as merge ranks.

That is exactly the algorithm of ``tiktoken.Encoding`` with ``mergeable_ranks`` = the vocabulary,
so the work is done by tiktoken's Rust core. Vocabularies tiktoken would refuse (two tokens with
one id, a byte missing from the vocabulary) are given tiktoken ranks of their own, translated
back to the C++'s ids. Hugging Face BPE merges by its ``merges`` list, which ``tiktoken_create``
does not receive: the ids are a valid merge order when each token comes after the tokens it is
built from, as in every vocabulary trained by BPE (Qwen, Llama 3, GPT-2, ``tokenizers``); then
the ids are those of the ``tokenizers`` library. ``tiktoken_create`` checks this and warns on
stderr when it does not hold (the encoding is still lispe_tiktoken's).
"""

import re
import sys

from ..errors import LispEError
from ..values import TRUE, Dictionary, Integers, List, to_string
from .core import integer
from .registry import builtin

__all__ = ["Tiktoken", "byte_level_decoder"]

TIKTOKEN_TYPE = "tiktoken_"
_U32 = 0xFFFFFFFF


def _not_tiktoken():
    return LispEError("expecting a `tiktoken_' type")       # printed "Error: expecting ..."


# --------------------------------------------------------------------------- byte-level alphabet

def byte_level_decoder():
    """{character: byte} of the GPT-2 byte-level alphabet (printable bytes stand for themselves,
    the others are shifted to U+0100 and up, in byte order)."""
    printable = [*range(0x21, 0x7F), *range(0xA1, 0xAD), *range(0xAE, 0x100)]
    chars = list(printable)
    n = 0
    for b in range(256):
        if b not in printable:
            printable.append(b)
            chars.append(256 + n)
            n += 1
    return {chr(c): b for b, c in zip(printable, chars)}


_BYTE_DECODER = byte_level_decoder()
_BYTE_ALPHABET = frozenset(_BYTE_DECODER)
# str.translate table: byte-level character -> the character of the same code as its byte,
# so that .encode("latin-1") gives the bytes
_TO_LATIN1 = {ord(c): b for c, b in _BYTE_DECODER.items()}

# --------------------------------------------------------------------------- meta-characters

# The C++'s default decoding table, in the order it fills it (a later entry replaces an earlier
# one with the same key: U+0105 ends up "a", U+0107 "c", U+0111 "d", U+0119 "e", U+013B "'ll").
_DEFAULT_METAS = (
    ("\u0120", " "), ("\u010a", "\n"), ("\u0109", "\t"),
    ("\u0101", "!"), ("\u011f", "?"), ("\u010b", ","), ("\u0123", "."), ("\u0137", ":"),
    ("\u013b", ";"), ("\u011d", "'"), ("\u011c", '"'),
    ("\u0104", "("), ("\u0105", ")"), ("\u0110", "["), ("\u0111", "]"), ("\u011a", "{"),
    ("\u011b", "}"),
    ("\u010f", "-"), ("\u010d", "_"), ("\u010c", "/"), ("\u0112", "\\"), ("\u0116", "|"),
    ("\u0106", "&"), ("\u0100", "@"), ("\u0102", "#"), ("\u0108", "$"), ("\u0114", "%"),
    ("\u0115", "^"), ("\u0107", "*"), ("\u010e", "+"), ("\u0113", "="), ("\u0117", "<"),
    ("\u0119", ">"), ("\u0139", "~"), ("\u0118", "`"),
    ("\u00e6", "\u00e6"), ("\u00e2", "\u00e2"), ("\u00e0", "\u00e0"), ("\u00e1", "\u00e1"),
    ("\u00ea", "\u00ea"), ("\u00e8", "\u00e8"), ("\u00e9", "\u00e9"), ("\u00ee", "\u00ee"),
    ("\u00f4", "\u00f4"), ("\u00fb", "\u00fb"), ("\u00e7", "\u00e7"), ("\u00f1", "\u00f1"),
    ("\u2c19", "\u2019"), ("\u0122", "'"), ("\u0142", "l"), ("\u015b", "s"), ("\u017a", "z"),
    ("\u017c", "z"), ("\u0107", "c"), ("\u0144", "n"), ("\u0105", "a"), ("\u0119", "e"),
    ("\u0131", "i"), ("\u00f8", "o"), ("\u0111", "d"), ("\u0127", "h"), ("\u0167", "t"),
    ("\u0122;", "'s"), ("\u0124", "'t"), ("\u013b", "'ll"), ("\u013a", "'re"),
    ("\u0135\u014b", "'ve"),
    ("\u2026", "..."), ("\u2014", "\u2014"), ("\u2013", "\u2013"), ("\u2018", "'"),
    ("\u2019", "'"), ("\u201c", '"'), ("\u201d", '"'),
)

# --------------------------------------------------------------------------- LispE conversions


def _as_integer(v):
    """LispE ``asInteger()``: numbers truncated, strings parsed, anything else 0."""
    if type(v) is int:
        return v
    try:
        return integer(v)
    except LispEError:
        return 0


def _ids_of(v):
    """The token ids the C++ reads from ``ids``: every element of a list (or of a tensor, or the
    characters of a string) through ``asInteger``, as a 32-bit unsigned rank."""
    if type(v) is Integers:
        return [x & _U32 for x in v]
    if isinstance(v, (list, str)):
        return [_as_integer(x) & _U32 for x in v]
    t = sys.modules.get("torch")
    if t is not None and isinstance(v, t.Tensor):
        return [int(x) & _U32 for x in v.detach().flatten().tolist()]
    return []


_ICU_ERRORS = (          # fancy-regex's message -> the ICU status name the C++ reports
    ("closing parenthesis", "U_REGEX_MISMATCHED_PAREN"),
    ("end of string not reached", "U_REGEX_MISMATCHED_PAREN"),
    ("character class", "U_REGEX_MISSING_CLOSE_BRACKET"),
    ("escape", "U_REGEX_BAD_ESCAPE_SEQUENCE"),
    ("repeat", "U_REGEX_RULE_SYNTAX"),
    ("error parsing pattern", "U_REGEX_PROPERTY_SYNTAX"),
)


def _regex_error(message):
    for part, name in _ICU_ERRORS:
        if part in message:
            break
    else:
        name = "U_REGEX_RULE_SYNTAX"
    return LispEError("Error compiling regex ICU: " + name, prefix=False)


def _tiktoken():
    try:
        import tiktoken
    except ImportError:
        raise LispEError("lispe_tiktoken needs the Python package tiktoken "
                         "(pip install tiktoken)") from None
    return tiktoken


# --------------------------------------------------------------------------- the tokenizer

class Tiktoken:
    """A lispe_tiktoken tokenizer. ``encoder``/``decoder``: bytes <-> id of the vocabulary;
    ``specials``: special token text -> id; ``metas``: the decoding replacements."""

    lispe_type = TIKTOKEN_TYPE

    def __init__(self, vocab, special_tokens, pattern):
        if not isinstance(vocab, Dictionary):
            raise LispEError("Wrong vocabulary format for tiktoken", prefix=False)
        keys = list(vocab)
        self.byte_level = _BYTE_ALPHABET.issuperset("".join(keys))
        if self.byte_level:
            table = _TO_LATIN1
            raw = [k.translate(table).encode("latin-1") for k in keys]
        else:
            raw = [k.encode("utf-8", "surrogatepass") for k in keys]
        encoder = {}
        for b, v in zip(raw, vocab.values()):
            encoder[b] = (v if type(v) is int else _as_integer(v)) & _U32
        self.encoder = encoder

        if not isinstance(special_tokens, list):
            raise LispEError("Wrong special tokens format for tiktoken", prefix=False)
        specials = {}
        for d in special_tokens:
            if not isinstance(d, dict):
                raise LispEError("Wrong special tokens format for tiktoken: elements should be "
                                 "dictionaries", prefix=False)
            specials[to_string(d.get("content"))] = _as_integer(d.get("id")) & _U32
        self.specials = specials
        self.pattern = to_string(pattern)

        self.metas = dict(_DEFAULT_METAS)
        self.space = "\u0120"
        self._meta_order = None
        self._sorted_bytes = None
        self._decoder = None
        self._build()

    def lispe_str(self):
        return ""          # the C++ object has no printed form of its own (Element::asString)

    __str__ = lispe_str

    # ------------------------------------------------------------------ tiktoken core

    def _build(self):
        tiktoken = _tiktoken()
        encoder = self.encoder
        ranks = {b: r for b, r in encoder.items() if b}
        missing = [bytes([i]) for i in range(256) if bytes([i]) not in ranks]
        # tiktoken needs one token per rank and every single byte; otherwise give it ranks of
        # its own (same order) and translate its output back (None: a byte the C++ drops)
        self._table = None
        if missing or len(set(ranks.values())) != len(ranks):
            order = sorted(ranks, key=ranks.__getitem__)
            table = [ranks[b] for b in order] + [None] * len(missing)
            ranks = {b: i for i, b in enumerate(order + missing)}
            self._table = table
        matched = {s: r for s, r in self.specials.items() if s}
        try:
            self._enc = tiktoken.Encoding("lispe_tiktoken", pat_str=self.pattern,
                                          mergeable_ranks=ranks,
                                          special_tokens={} if self._table else matched)
        except ValueError as e:
            raise _regex_error(str(e)) from None
        self._core = self._enc._core_bpe
        self._allowed = set(matched)
        self._special_rx = None
        if matched:
            alternatives = sorted(matched, key=len, reverse=True)
            self._special_rx = re.compile("|".join(map(re.escape, alternatives)))
        self._rx = None
        if not self.byte_level or self._matches_empty():
            import regex
            try:
                self._rx = regex.compile(self.pattern)
            except regex.error as e:
                raise _regex_error(str(e)) from None
        # a special that begins another one is followed by such a one in sorted order
        ordered = sorted(matched)
        nested = any(b.startswith(a) for a, b in zip(ordered, ordered[1:]))
        # Rust alone (specials included) when nothing needs a look from Python: no translation,
        # no meta-space rewriting, no empty regex match, no special that begins another one
        # (tiktoken tries the specials in no fixed order; the C++ takes the longest)
        self._fast = self._table is None and self._rx is None and not nested

    def _matches_empty(self):
        """Whether the split regex yields empty matches (tiktoken cannot take them; the C++
        skips them)."""
        try:
            import regex
            rx = regex.compile(self.pattern)
        except Exception:
            return False
        for probe in ("", "a b\n1!\u00e9\u4e2d\U0001f600's  \t.X"):
            for m in rx.finditer(probe):
                if m.start() == m.end():
                    return True
        return False

    def rank_order_violations(self):
        """Tokens that can be built from two tokens of the vocabulary but come (by id) before
        every such pair: the ids are then not a BPE merge order. Single bytes and specials,
        which no merge builds, are not concerned."""
        encoder = self.encoder
        get = encoder.get
        skip = {s.encode("utf-8", "surrogatepass") for s in self.specials}
        bad = []
        for tok, r in encoder.items():
            n = len(tok)
            if n < 2 or tok in skip:
                continue
            buildable = False
            for i in range(1, n):
                a = get(tok[:i])
                if a is None:
                    continue
                b = get(tok[i:])
                if b is None:
                    continue
                if (i == 1 or a < r) and (i == n - 1 or b < r):
                    break
                buildable = True
            else:
                if buildable:
                    bad.append(tok)
        return bad

    # ------------------------------------------------------------------ encoding

    def encode(self, text):
        try:
            if self._fast:
                if self._allowed:
                    return self._core.encode(text, self._allowed)
                return self._core.encode_ordinary(text)
            return self._encode_slow(text)
        except UnicodeEncodeError:
            # lone surrogates cannot reach Rust (LispE strings hold none): replace them
            text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
            return self.encode(text)

    def _encode_slow(self, text):
        out = []
        rx = self._special_rx
        if rx is None:
            self._ordinary(text, out)
            return out
        specials = self.specials
        pos = 0
        for m in rx.finditer(text):
            if m.start() > pos:
                self._ordinary(text[pos:m.start()], out)
            out.append(specials[m.group()])
            pos = m.end()
        if pos < len(text):
            self._ordinary(text[pos:], out)
        return out

    def _ordinary(self, text, out):
        """Append the ids of text (no special token in it) to out."""
        table = self._table
        if self._rx is None:
            ranks = self._core.encode_ordinary(text)
            if table is None:
                out.extend(ranks)
            else:
                out.extend(x for x in map(table.__getitem__, ranks) if x is not None)
            return
        encoder = self.encoder
        piece_ranks = self._core.encode_single_piece
        rewrite = not self.byte_level
        for m in self._rx.finditer(text):
            b = m.group().encode("utf-8")
            if rewrite and b:
                if b[0] == 0x20:
                    b = b"\xc4\xa0" + b[1:]            # leading space -> U+0120
                elif b[0] in (0x10, 0x0A):
                    b = b"\xc4\x8a" + b[1:]            # leading newline -> U+010A
            r = encoder.get(b)
            if r is not None:
                out.append(r)
            elif b:
                ranks = piece_ranks(b)
                if table is None:
                    out.extend(ranks)
                else:
                    out.extend(x for x in map(table.__getitem__, ranks) if x is not None)

    # ------------------------------------------------------------------ decoding

    def _lookup(self):
        if self._decoder is None:
            d = {r: s.encode("utf-8", "surrogatepass") for s, r in self.specials.items()}
            d.update((r, b) for b, r in self.encoder.items())       # the vocabulary first
            self._decoder = d
        return self._decoder

    def decode_bytes(self, ids, message="Token %d not found in decoder"):
        lookup = self._lookup()
        try:
            return b"".join(map(lookup.__getitem__, ids))
        except KeyError as e:
            raise LispEError(message % e.args[0], prefix=False) from None

    def decode(self, ids):
        data = self.decode_bytes(ids, "Unknown token in decode: %d")
        if not self.byte_level:
            if self._meta_order is None:
                # the C++ walks an unordered_map: longer metas first, so that "Ģ;" beats "Ģ"
                self._meta_order = sorted(
                    ((k.encode("utf-8", "surrogatepass"), v.encode("utf-8", "surrogatepass"))
                     for k, v in self.metas.items() if k),
                    key=lambda kv: -len(kv[0]))
            for k, v in self._meta_order:
                if k in data:
                    data = data.replace(k, v)
        return data.decode("utf-8", "replace")

    def set_meta(self, meta, replacement):
        self.metas[meta] = replacement
        self._meta_order = None

    def remove_meta(self, meta):
        self.metas.pop(meta, None)
        self._meta_order = None

    def token_byte_values(self):
        if self._sorted_bytes is None:
            self._sorted_bytes = sorted(self.encoder)
        return self._sorted_bytes


# --------------------------------------------------------------------------- builtins

def _tok(v):
    if type(v) is not Tiktoken:
        raise _not_tiktoken()
    return v


def _warn_rank_order(interp, tok):
    bad = tok.rank_order_violations()
    if not bad:
        return
    first = bad[0]
    err = interp.stderr if interp is not None else sys.stderr
    try:
        getattr(interp, "stdout", sys.stdout).flush()
    except Exception:
        pass
    print("Warning: tiktoken_create: the vocabulary ids are not a BPE merge order (%d tokens, "
          "e.g. %r with id %d, come before every pair of tokens they are made of); "
          "tiktoken_encode uses the ids as merge ranks, as lispe_tiktoken does, and may split "
          "text differently from the Hugging Face tokenizer"
          % (len(bad), first.decode("utf-8", "replace"), tok.encoder[first]),
          file=err, flush=True)


@builtin("tiktoken_create", interp=True, library=True,
         params=("vocab", "special_tokens", "pattern"),
         doc="Create a tiktoken object with vocab and special tokens")
def tiktoken_create(interp, env, vocab, special_tokens, pattern):
    """(tiktoken_create vocab special_tokens pattern): a BPE tokenizer from a tokenizer.json's
    model.vocab dictionary, its added_tokens list and its split regex."""
    tok = Tiktoken(vocab, special_tokens, pattern)
    _warn_rank_order(interp, tok)
    return tok


@builtin("tiktoken_encode", library=True, params=("bpe_object", "text"),
         doc="Use tiktoken object to encode a string")
def tiktoken_encode(bpe_object, text):
    """(tiktoken_encode tok text): the ids of text (integers); special tokens in it are
    recognised, the rest is split by the regex and BPE-encoded."""
    if type(bpe_object) is not Tiktoken:
        raise _not_tiktoken()
    return Integers(bpe_object.encode(text if type(text) is str else to_string(text)))


@builtin("tiktoken_decode", library=True, params=("bpe_object", "ids"),
         doc="Use tiktoken object to decode a list of integers")
def tiktoken_decode(bpe_object, ids):
    """(tiktoken_decode tok ids): the text of a list of ids (meta-characters replaced when the
    vocabulary is not byte-level)."""
    return _tok(bpe_object).decode(_ids_of(ids))


@builtin("tiktoken_special_encode", library=True, params=("bpe_object", "text"),
         doc="Return the id of a special characters")
def tiktoken_special_encode(bpe_object, text):
    """(tiktoken_special_encode tok text): the id of the special token text, -1 if unknown."""
    return _tok(bpe_object).specials.get(to_string(text), -1)


@builtin("tiktoken_vocab_size", library=True, params=("bpe_object",),
         doc="Return the vocabulary size of the tokenizer")
def tiktoken_vocab_size(bpe_object):
    """(tiktoken_vocab_size tok): the number of tokens of the vocabulary (specials excluded)."""
    return len(_tok(bpe_object).encoder)


@builtin("tiktoken_set_space", library=True, params=("bpe_object", "str"),
         doc="Set the space character")
def tiktoken_set_space(bpe_object, s):
    """(tiktoken_set_space tok str): str is the space meta-character (decoded as a space);
    true."""
    tok = _tok(bpe_object)
    tok.space = to_string(s)
    tok.set_meta(tok.space, " ")
    return TRUE


@builtin("tiktoken_add_meta", library=True, params=("bpe_object", "meta_char", "replacement"),
         doc="Add a meta-character mapping for decoding")
def tiktoken_add_meta(bpe_object, meta_char, replacement):
    """(tiktoken_add_meta tok meta replacement): decode meta as replacement; true."""
    _tok(bpe_object).set_meta(to_string(meta_char), to_string(replacement))
    return TRUE


@builtin("tiktoken_remove_meta", library=True, params=("bpe_object", "meta_char"),
         doc="Remove a meta-character mapping")
def tiktoken_remove_meta(bpe_object, meta_char):
    """(tiktoken_remove_meta tok meta): forget the mapping of meta (if any); true."""
    _tok(bpe_object).remove_meta(to_string(meta_char))
    return TRUE


@builtin("tiktoken_list_meta", library=True, params=("bpe_object", "(metas)"),
         doc="List all meta-character mappings")
def tiktoken_list_meta(bpe_object, metas=None):
    """(tiktoken_list_meta tok [metas]): without metas, the dictionary meta -> replacement;
    with a dictionary, add its mappings and return true."""
    tok = _tok(bpe_object)
    if metas is None:
        return Dictionary(tok.metas)
    if not isinstance(metas, dict):
        raise LispEError("Expecting a dictionary as input")   # printed "Error: Expecting ..."
    for k, v in metas.items():
        tok.set_meta(to_string(k), to_string(v))
    return TRUE


@builtin("tiktoken_decode_bytes", library=True, params=("bpe_object", "ids"),
         doc="Decode tokens to raw bytes")
def tiktoken_decode_bytes(bpe_object, ids):
    """(tiktoken_decode_bytes tok ids): the bytes of the ids (integers 0-255), no meta
    replacement."""
    return Integers(_tok(bpe_object).decode_bytes(_ids_of(ids)))


@builtin("tiktoken_decode_single_token_bytes", library=True, params=("bpe_object", "token"),
         doc="Decode a single token to raw bytes")
def tiktoken_decode_single_token_bytes(bpe_object, token):
    """(tiktoken_decode_single_token_bytes tok id): the bytes of one id (integers 0-255)."""
    return Integers(_tok(bpe_object).decode_bytes([_as_integer(token) & _U32]))


@builtin("tiktoken_token_byte_values", library=True, params=("bpe_object",),
         doc="Get all token byte values from vocabulary")
def tiktoken_token_byte_values(bpe_object):
    """(tiktoken_token_byte_values tok): the bytes of every vocabulary token, a list of
    integers lists sorted bytewise."""
    return List(Integers(b) for b in _tok(bpe_object).token_byte_values())
