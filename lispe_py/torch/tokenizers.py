"""Tokenizers (spec §1.8, §5): lispetorch's SimpleTokenizer and SentencePiece wrapper, plus a
Hugging Face ``tokenizer.json`` loader (a lispe-py extension).

LispE names
-----------
``torch_simple_tokenizer`` (doc aliases ``torch_tokenizer_create``)
``torch_sentencepiece_tokenizer path``
``torch_train_sentencepiece input prefix vocab_size model_type``
``torch_hf_tokenizer path``                         (lispe-py only)
``torch_encode tok text``      (``torch_tokenizer_encode``, ``tokenizer_encode``)
``torch_decode tok ids``       (``torch_tokenizer_decode``, ``tokenizer_decode``)
``torch_vocab_size tok``       (``torch_tokenizer_get_vocab_size``)

All three tokenizer kinds have the LispE type ``torch_tokenizer_`` (as in the C++, where both
of its tokenizers share it). ``torch_encode`` always returns a 1-D int64 tensor.

SimpleTokenizer semantics (spec §5.1, checked against the C++): the UTF-8 bytes of the text are
split at C ``isspace`` bytes; each C ``ispunct`` byte (the 32 ASCII punctuation characters) is a
token of its own; every other byte (letters, digits, control bytes, all non-ASCII bytes) is
ASCII-lower-cased and kept in the current word. New strings get the next id (4, 5, ...) in order
of first appearance; the output is ``<bos> ids <eos>``. The split is bytes.lower, one
bytes.replace per punctuation character present and bytes.split, and ids are looked up with
map over the vocabulary dict, so no Python code runs per byte or per known token.

Neither ``torch`` nor ``sentencepiece``/``tokenizers`` is imported before a builtin runs.
"""

import os
from array import array

from lispe_py.errors import LispEError
from lispe_py.sandbox import guard_path
from lispe_py.torch._lazy import torch
from lispe_py.torch._helpers import lib, read_int, c_long, is_tensor
from lispe_py.values import Integers, to_string

__all__ = ["SimpleTokenizer", "SentencePieceTokenizer", "HFTokenizer", "as_integer",
           "token_ids", "train_byte_level_bpe"]

TOKENIZER_TYPE = "torch_tokenizer_"

# --------------------------------------------------------------------------- LispE conversions

# Arguments are read with LispE's asInteger(), as the C++ does: _helpers.read_int (the one
# reader; ``as_integer`` is its older name here).
as_integer = read_int


def token_ids(v):
    """The ids ``torch_decode`` reads from its second argument: a tensor (flattened, each element
    converted like ``item<int>``), any LispE list (elements read with ``asInteger``) or a single
    integer. Anything else is the C++ error."""
    if is_tensor(v):
        flat = v.detach().flatten()
        if flat.dtype.is_complex:
            flat = flat.real
        if flat.dtype.is_floating_point:
            return [c_long(x) for x in flat.tolist()]
        return flat.tolist()
    if isinstance(v, list):
        if type(v) is Integers:
            return [int(x) for x in v]
        return [read_int(x) for x in v]
    if isinstance(v, int):
        return [int(v)]
    raise LispEError("Second argument must be a tensor, list, or integers of token IDs")


def _int64_tensor(ids):
    """1-D int64 tensor of a list or array('q') of ids. Going through array('q') and
    torch.frombuffer is ~5x faster than torch.tensor(list) for long lists; the tensor keeps the
    array alive (it shares its memory) and nothing else holds it."""
    if not len(ids):
        return torch.zeros(0, dtype=torch.int64)
    if type(ids) is not array:
        ids = array("q", ids)
    return torch.frombuffer(ids, dtype=torch.int64)


def _text_of(v):
    """The text argument of ``torch_encode``: the C++ takes ``toString()`` of any value."""
    return v if type(v) is str else to_string(v)


# --------------------------------------------------------------------------- SimpleTokenizer

_PUNCT = b"!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"          # C ispunct in the C locale
_PUNCT_SPACED = tuple((bytes([c]), b" %c " % c) for c in _PUNCT)


def _simple_split(data):
    """The C++ word split of UTF-8 bytes: ASCII lower-case, each punctuation byte a token of its
    own, words separated by C isspace bytes (exactly what bytes.split() splits on:
    space, \\t, \\n, \\v, \\f, \\r). Runs at C speed: no per-byte Python loop."""
    data = data.lower()                         # bytes.lower: ASCII letters only, like tolower
    for p, spaced in _PUNCT_SPACED:
        if p in data:
            data = data.replace(p, spaced)
    return data.split()


_SPECIALS = (b"<pad>", b"<unk>", b"<bos>", b"<eos>")
PAD_ID, UNK_ID, BOS_ID, EOS_ID = 0, 1, 2, 3


class SimpleTokenizer:
    """lispetorch's word tokenizer; the vocabulary grows as text is encoded."""

    lispe_type = TOKENIZER_TYPE
    kind_name = "simple"

    def __init__(self):
        # token bytes -> id; specials included (no word can equal them: '<' is punctuation)
        self.vocab = {tok: i for i, tok in enumerate(_SPECIALS)}
        # id -> the bytes decode emits for it, with the separating space already attached:
        # specials <pad>/<bos>/<eos> emit nothing, <unk> and punctuation attach to the left.
        self._emit = [b"", b"<unk>", b"", b""]

    def vocab_size(self):
        return len(self.vocab)

    def lispe_str(self):
        return "Simple Tokenizer (vocab size: %d)" % len(self.vocab)

    __str__ = lispe_str

    def _ids(self, text):
        """array('q') of the ids of text, without <bos>/<eos>; learns new tokens."""
        tokens = _simple_split(text.encode("utf-8", "surrogatepass"))
        get = self.vocab.__getitem__
        try:
            return array("q", map(get, tokens))
        except KeyError:
            self._learn(tokens)
            return array("q", map(get, tokens))

    def _learn(self, tokens):
        # New strings get ids in order of first appearance (dict.fromkeys keeps that order).
        vocab = self.vocab
        emit = self._emit
        for tok in dict.fromkeys(tokens):
            if tok not in vocab:
                vocab[tok] = len(vocab)
                emit.append(tok if tok[0] in _PUNCT else b" " + tok)

    def encode_ids(self, text):
        """Python list of ids, <bos> ... <eos> included (learns new tokens)."""
        return [BOS_ID] + self._ids(text).tolist() + [EOS_ID]

    def encode(self, text):
        a = self._ids(text)
        a.insert(0, BOS_ID)
        a.append(EOS_ID)
        return _int64_tensor(a)

    def decode(self, ids):
        """Ids outside [0, vocab) are skipped, as are <pad>, <bos>, <eos>; tokens are joined with
        one space, except before a token starting with punctuation (and at the very start)."""
        emit = self._emit
        n = len(emit)
        out = b"".join([emit[i] for i in ids if 0 <= i < n])
        if out[:1] == b" ":
            out = out[1:]
        return out.decode("utf-8", "replace")


# --------------------------------------------------------------------------- SentencePiece

def _sentencepiece():
    try:
        import sentencepiece
    except ImportError:
        raise LispEError("SentencePiece support not installed. Install with: "
                         "pip install sentencepiece") from None
    return sentencepiece


class SentencePieceTokenizer:
    """A loaded SentencePiece model; encode adds no BOS/EOS."""

    lispe_type = TOKENIZER_TYPE
    kind_name = "sentencepiece"

    def __init__(self, path):
        spm = _sentencepiece()
        guard_path(path)
        self.path = path
        self.sp = spm.SentencePieceProcessor()
        try:
            self.sp.Load(path)
        except Exception:
            raise LispEError("Error creating SentencePiece tokenizer: Failed to load "
                             "SentencePiece model: " + path, prefix=False) from None
        self.size = self.sp.GetPieceSize()

    def vocab_size(self):
        return self.size

    def lispe_str(self):
        return "SentencePiece Tokenizer (vocab size: %d)" % self.size

    __str__ = lispe_str

    def encode_ids(self, text):
        return self.sp.EncodeAsIds(text)

    def encode(self, text):
        return _int64_tensor(self.sp.EncodeAsIds(text))

    def decode(self, ids):
        size = self.size
        for i in ids:
            if not 0 <= i < size:
                raise LispEError("Failed to decode tokens with SentencePiece", prefix=False)
        return self.sp.DecodeIds(ids)


# SentencePiece >= 0.2 spells status codes the absl way ("NOT_FOUND: ..."); the C++ lispetorch
# links 0.1.97, whose messages read "Not found: ...". Map the prefix back.
_STATUS_NAMES = {
    "CANCELLED": "Cancelled", "UNKNOWN": "Unknown", "INVALID_ARGUMENT": "Invalid argument",
    "DEADLINE_EXCEEDED": "Deadline exceeded", "NOT_FOUND": "Not found",
    "ALREADY_EXISTS": "Already exists", "PERMISSION_DENIED": "Permission denied",
    "RESOURCE_EXHAUSTED": "Resource exhausted", "FAILED_PRECONDITION": "Failed precondition",
    "ABORTED": "Aborted", "OUT_OF_RANGE": "Out of range", "UNIMPLEMENTED": "Unimplemented",
    "INTERNAL": "Internal", "UNAVAILABLE": "Unavailable", "DATA_LOSS": "Data loss",
    "UNAUTHENTICATED": "Unauthenticated"}


def _status_text(e):
    msg = str(e)
    code, sep, rest = msg.partition(": ")
    if sep and code in _STATUS_NAMES:
        return _STATUS_NAMES[code] + ": " + rest
    return msg


def train_sentencepiece(input_file, model_prefix, vocab_size, model_type):
    """Run the SentencePiece trainer with lispetorch's exact flag string."""
    guard_path(input_file)
    guard_path(model_prefix + ".model")
    spm = _sentencepiece()
    flags = ("--input=%s --model_prefix=%s --vocab_size=%d --model_type=%s "
             "--character_coverage=1.0 --pad_id=0 --unk_id=1 --bos_id=2 --eos_id=3"
             % (input_file, model_prefix, vocab_size, model_type))
    # the trainer logs ~100 lines on stderr: only with lispe-py --verbose (LISPE_PY_VERBOSE=1)
    verbose = os.environ.get("LISPE_PY_VERBOSE", "") not in ("", "0")
    if hasattr(spm, "set_min_log_level"):
        spm.set_min_log_level(0 if verbose else 2)
    try:
        spm.SentencePieceTrainer.Train(flags)
    except Exception as e:
        raise LispEError("Error training SentencePiece model: " + _status_text(e),
                         prefix=False) from None
    return "Training completed successfully. Model saved as: " + model_prefix + ".model"


# --------------------------------------------------------------------------- Hugging Face

def _hf_tokenizers():
    try:
        import tokenizers
    except ImportError:
        raise LispEError("Hugging Face tokenizers support not installed. Install with: "
                         "pip install tokenizers") from None
    return tokenizers


class HFTokenizer:
    """A local Hugging Face ``tokenizer.json`` (e.g. Llama-3 byte-level BPE), through the
    ``tokenizers`` package. Encode adds no special tokens (like SentencePiece here); decode keeps
    special tokens, so decode(encode(x)) == x for byte-level models."""

    lispe_type = TOKENIZER_TYPE
    kind_name = "huggingface"

    def __init__(self, path):
        import os
        hf = _hf_tokenizers()
        if os.path.isdir(path):
            path = os.path.join(path, "tokenizer.json")
        guard_path(path)
        self.path = path
        try:
            self.tok = hf.Tokenizer.from_file(path)
        except Exception as e:
            detail = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            raise LispEError("Error creating HF tokenizer: Failed to load tokenizer.json: %s (%s)"
                             % (path, detail), prefix=False) from None
        self.size = self.tok.get_vocab_size(with_added_tokens=True)

    def vocab_size(self):
        return self.size

    def lispe_str(self):
        return "HF Tokenizer (vocab size: %d)" % self.size

    __str__ = lispe_str

    def encode_ids(self, text):
        return self.tok.encode(text, add_special_tokens=False).ids

    def encode(self, text):
        return _int64_tensor(self.tok.encode(text, add_special_tokens=False).ids)

    def decode(self, ids):
        tok = self.tok
        for i in ids:
            if not 0 <= i < (1 << 32) or tok.id_to_token(i) is None:
                raise LispEError("Failed to decode tokens with HF tokenizer: unknown token id %d"
                                 % i, prefix=False)
        return tok.decode(ids, skip_special_tokens=False)


# Llama-3 pre-tokenizer split pattern (the tiktoken cl100k/o200k style pattern Llama 3 uses)
LLAMA3_PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|"
                  r" ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")


def train_byte_level_bpe(files, vocab_size, out_path, special_tokens=("<|begin_of_text|>",
                                                                      "<|end_of_text|>")):
    """Train a small Llama-3-style byte-level BPE ``tokenizer.json`` from text files (used by
    the tests and the benchmark; the result loads with ``torch_hf_tokenizer``)."""
    hf = _hf_tokenizers()
    from tokenizers import decoders, models, pre_tokenizers, trainers
    tok = hf.Tokenizer(models.BPE(byte_fallback=False, ignore_merges=True))
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(hf.Regex(LLAMA3_PATTERN), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=False),
    ])
    tok.decoder = decoders.ByteLevel(add_prefix_space=True, trim_offsets=True, use_regex=True)
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=list(special_tokens),
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                  show_progress=False)
    tok.train([str(f) for f in ([files] if isinstance(files, str) else files)], trainer)
    tok.save(str(out_path))
    return str(out_path)


# --------------------------------------------------------------------------- builtins

_TOKENIZERS = (SimpleTokenizer, SentencePieceTokenizer, HFTokenizer)


@lib("torch_simple_tokenizer", "torch_tokenizer_create")
def torch_simple_tokenizer():
    "(torch_simple_tokenizer): a fresh SimpleTokenizer (<pad>=0 <unk>=1 <bos>=2 <eos>=3)."
    return SimpleTokenizer()


@lib("torch_sentencepiece_tokenizer")
def torch_sentencepiece_tokenizer(model_path):
    "(torch_sentencepiece_tokenizer path): load a SentencePiece .model file."
    return SentencePieceTokenizer(to_string(model_path))


@lib("torch_train_sentencepiece")
def torch_train_sentencepiece(input_file, model_prefix, vocab_size, model_type):
    "(torch_train_sentencepiece input prefix vocab_size model_type): train prefix.model/.vocab."
    return train_sentencepiece(to_string(input_file), to_string(model_prefix),
                               read_int(vocab_size), to_string(model_type))


@lib("torch_hf_tokenizer")
def torch_hf_tokenizer(path):
    "(torch_hf_tokenizer path): load a Hugging Face tokenizer.json (file or folder holding one)."
    return HFTokenizer(to_string(path))


@lib("torch_encode", "torch_tokenizer_encode", "tokenizer_encode")
def torch_encode(tokenizer, text):
    "(torch_encode tok text): token ids of text as a 1-D int64 tensor."
    if not isinstance(tokenizer, _TOKENIZERS):
        raise LispEError("First argument must be a tokenizer")
    return tokenizer.encode(_text_of(text))


@lib("torch_decode", "torch_tokenizer_decode", "tokenizer_decode")
def torch_decode(tokenizer, token_ids_):
    "(torch_decode tok ids): the text of ids (a tensor, a list or one integer)."
    if not isinstance(tokenizer, _TOKENIZERS):
        raise LispEError("First argument must be a tokenizer")
    return tokenizer.decode(token_ids(token_ids_))


@lib("torch_vocab_size", "torch_tokenizer_get_vocab_size")
def torch_vocab_size(tokenizer):
    "(torch_vocab_size tok): number of tokens in the vocabulary."
    if not isinstance(tokenizer, _TOKENIZERS):
        raise LispEError("Argument must be a tokenizer")
    return tokenizer.vocab_size()
