"""lispe_tiktoken: (use 'lispe_tiktoken), its twelve builtins, their error texts, and the ids
compared with the Hugging Face ``tokenizers`` library on the same tokenizer.json.

The tokenizer.json files are trained here (byte-level BPE on examples/data/corpus.txt, as
../shared/programs/lispetorch/make_tiny_qwen.py builds them) with the Qwen2/3 and the Llama 3
split regexes and their special tokens appended after the BPE vocabulary."""

import json
import os
import subprocess
import sys

import pytest

from lispe_py import LispE, LispEError

tokenizers = pytest.importorskip("tokenizers")
pytest.importorskip("tiktoken")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "examples", "data", "corpus.txt")

QWEN_PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}|"
                r" ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")
LLAMA3_PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|"
                  r" ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")
QWEN_SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
LLAMA3_SPECIALS = ["<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>",
                   "<|end_header_id|>", "<|eot_id|>", "<|python_tag|>"]

TEXTS = [
    "Hello, world!",
    "Héllo wörld — café naïve résumé, ñandú; Ærøskøbing; Ünïcödé ÀÉÎÕÜ ß",
    "emoji 😀🎉 👩‍👩‍👧 family, flags 🇫🇷🇯🇵 and ✓ ∑ ∞ → ≠",
    "digits 0 7 42 12345 3.14159 1,000,000 2026-12-31 x²+y² ½ ٣ 𝟘",
    "lines\nand\n\nparagraphs\n\n\nend\n",
    "\tTabs\tand\r\nCRLF\r\n  two  spaces   three    four\n    indented",
    "It's we'll I'VE they're you'd SHE'S can't",
    "日本語のテキスト 中文 한국어 العربية עברית ქართული Ελληνικά русский",
    "  leading and trailing  ",
    "(defun f (x) (* x 2)) {\"json\": [1, 2]} <tag/> a_b-c|d~e`f",
    "x" * 300,
    "",
    " ",
    "\n",
]
SPECIAL_TEXTS = [
    "<|im_start|>user\nWhat is LispE?<|im_end|>\n<|im_start|>assistant\n",
    "<|im_start|><|im_end|><|endoftext|>",
    "before<|endoftext|>after <|im_end|>",
    "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are a helpful "
    "assistant.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nHi!<|eot_id|>",
    "<|end_of_text|><|python_tag|>x = 1",
]


def train(folder, name, pattern, specials, vocab=1024):
    from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, trainers
    tok = Tokenizer(models.BPE(unk_token=None, byte_fallback=False, fuse_unk=False))
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(pattern), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False),
    ])
    tok.decoder = decoders.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False)
    trainer = trainers.BpeTrainer(vocab_size=vocab, min_frequency=2, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                  special_tokens=[])
    with open(CORPUS, encoding="utf-8") as f:
        tok.train_from_iterator([f.read()], trainer=trainer)
    tok.add_special_tokens(specials)
    path = os.path.join(folder, name + ".json")
    tok.save(path)
    return path


@pytest.fixture(scope="module")
def paths(tmp_path_factory):
    folder = str(tmp_path_factory.mktemp("tiktoken"))
    return {"qwen": train(folder, "qwen", QWEN_PATTERN, QWEN_SPECIALS),
            "llama3": train(folder, "llama3", LLAMA3_PATTERN, LLAMA3_SPECIALS)}


CREATE = """(use 'lispe_tiktoken)
(setq tok_file (json_parse (fread path)))
(setq tok (tiktoken_create (@ tok_file "model" "vocab") (@ tok_file "added_tokens")
                           (@ tok_file "pre_tokenizer" "pretokenizers" 0 "pattern" "Regex")))
"""


def make(path):
    lisp = LispE()
    lisp.define("path", path)
    lisp.eval(CREATE)
    return lisp


@pytest.fixture(scope="module", params=["qwen", "llama3"])
def kind(request, paths):
    """(name, LispE with `tok` built from the tokenizer.json, tokenizers.Tokenizer)."""
    path = paths[request.param]
    return request.param, make(path), tokenizers.Tokenizer.from_file(path)


def encode(lisp, text):
    lisp.define("text", text)
    return lisp.eval("(tiktoken_encode tok text)")


def error_text(lisp, src):
    with pytest.raises(LispEError) as e:
        lisp.eval(src)
    return e.value.text


def raw(vocab, specials=(), pattern=r"\w+|\s+|[^\w\s]+"):
    """A LispE with `tok` built from a dictionary written here."""
    lisp = LispE()
    lisp.define("vocab", json.dumps(vocab, ensure_ascii=False))
    lisp.define("specials", json.dumps([{"content": s, "id": i} for s, i in specials],
                                       ensure_ascii=False))
    lisp.define("pattern", pattern)
    lisp.eval("(use 'lispe_tiktoken)"
              "(setq tok (tiktoken_create (json_parse vocab) (json_parse specials) pattern))")
    return lisp


# --------------------------------------------------------------------------- same ids as HF


def test_corpus_gives_the_ids_of_the_tokenizers_library(kind):
    name, lisp, hf = kind
    with open(CORPUS, encoding="utf-8") as f:
        text = f.read()
    assert encode(lisp, text) == hf.encode(text).ids
    lisp.define("lines", text.splitlines())
    per_line = lisp.eval("(maplist (λ (l) (tiktoken_encode tok l)) lines)")
    assert per_line == [hf.encode(line).ids for line in text.splitlines()]


@pytest.mark.parametrize("text", TEXTS + SPECIAL_TEXTS)
def test_text_gives_the_ids_of_the_tokenizers_library_and_round_trips(kind, text):
    name, lisp, hf = kind
    ids = encode(lisp, text)
    assert ids == hf.encode(text).ids
    assert lisp.eval("(tiktoken_decode tok (tiktoken_encode tok text))") == text
    assert bytes(lisp.eval("(tiktoken_decode_bytes tok (tiktoken_encode tok text))")) == \
        text.encode("utf-8")


def test_specials_are_single_ids(kind):
    name, lisp, hf = kind
    specials = QWEN_SPECIALS if name == "qwen" else LLAMA3_SPECIALS
    for s in specials:
        sid = hf.token_to_id(s)
        assert encode(lisp, s) == [sid]
        lisp.define("s", s)
        assert lisp.eval("(tiktoken_special_encode tok s)") == sid
    assert lisp.eval('(tiktoken_special_encode tok "<|nope|>")') == -1
    assert lisp.eval('(tiktoken_special_encode tok "Hello")') == -1


def test_the_vocabulary_ids_are_a_merge_order(kind):
    name, lisp, hf = kind
    tok = lisp.eval("tok")
    assert tok.byte_level and tok.rank_order_violations() == []


# --------------------------------------------------------------------------- the builtins


def test_vocab_size_and_token_bytes(kind, paths):
    name, lisp, hf = kind
    with open(paths[name], encoding="utf-8") as f:
        vocab = json.load(f)["model"]["vocab"]
    assert lisp.eval("(tiktoken_vocab_size tok)") == len(vocab) == 1024
    values = lisp.eval("(tiktoken_token_byte_values tok)")
    assert len(values) == 1024 and values == sorted(values)
    assert values[:3] == [[0], [1], [2]]
    assert lisp.eval("(type (car (tiktoken_token_byte_values tok)))") == "integers_"
    hello = encode(lisp, " the")
    assert len(hello) == 1
    lisp.define("i", hello[0])
    assert lisp.eval("(tiktoken_decode_single_token_bytes tok i)") == list(b" the")
    eot = hf.token_to_id(QWEN_SPECIALS[0] if name == "qwen" else LLAMA3_SPECIALS[0])
    lisp.define("i", eot)
    assert bytes(lisp.eval("(tiktoken_decode_single_token_bytes tok i)")) == \
        hf.id_to_token(eot).encode()
    assert lisp.eval('(tiktoken_decode_single_token_bytes tok "%d")' % eot) == \
        list(hf.id_to_token(eot).encode())


def test_results_types_and_printing(lispe, paths):
    out = lispe('(setq path "%s")\n' % paths["qwen"] + CREATE +
                "(println tok)(println (type tok))(println (list tok 1))"
                "(println (type (tiktoken_encode tok \"a b\")))"
                "(println (type (tiktoken_decode_bytes tok (integers 300))))"
                "(println tiktoken_create)(println tiktoken_list_meta)"
                "(println tiktoken_decode_single_token_bytes)")
    assert out.splitlines() == [
        "", "tiktoken_", "( 1)", "integers_", "integers_",
        "(deflib tiktoken_create (vocab special_tokens pattern) "
        "Create a tiktoken object with vocab and special tokens)",
        "(deflib tiktoken_list_meta (bpe_object (metas)) List all meta-character mappings)",
        "(deflib tiktoken_decode_single_token_bytes (bpe_object token) "
        "Decode a single token to raw bytes)"]


def test_decode_reads_any_list_and_tensors(paths):
    lisp = make(paths["qwen"])
    ids = encode(lisp, "Hello world")
    lisp.define("ids", ids)
    assert lisp.eval("(tiktoken_decode tok (list %s))" % " ".join(map(str, ids))) == "Hello world"
    assert lisp.eval("(tiktoken_decode tok (numbers %s))" % " ".join(map(str, ids))) == \
        "Hello world"
    assert lisp.eval("(tiktoken_decode tok ())") == ""
    assert lisp.eval("(tiktoken_decode tok 12)") == ""           # not a list: no ids
    torch = pytest.importorskip("torch")
    lisp.define("t", torch.tensor([ids]))
    assert lisp.eval("(tiktoken_decode tok t)") == "Hello world"


def test_encode_takes_the_printed_form_of_a_non_string(paths):
    lisp = make(paths["qwen"])
    assert lisp.eval("(tiktoken_encode tok 123)") == encode(lisp, "123")
    assert lisp.eval("(tiktoken_encode tok '(a b))") == encode(lisp, "(a b)")


def test_meta_characters_are_kept_but_not_applied_to_a_byte_level_vocabulary(paths):
    lisp = make(paths["qwen"])
    metas = lisp.eval("(tiktoken_list_meta tok)")
    assert metas["\u0120"] == " " and metas["\u010a"] == "\n" and metas["\u0122;"] == "'s"
    # later entries of the C++ table replace earlier ones with the same key
    assert metas["\u0105"] == "a" and metas["\u0107"] == "c" and metas["\u013b"] == "'ll"
    assert lisp.eval('(tiktoken_add_meta tok "e" "E")') is True
    assert lisp.eval('(tiktoken_decode tok (tiktoken_encode tok "hello"))') == "hello"
    assert lisp.eval('(@ (tiktoken_list_meta tok) "e")') == "E"
    assert lisp.eval('(tiktoken_remove_meta tok "e")') is True
    assert lisp.eval('(tiktoken_remove_meta tok "never there")') is True
    assert "e" not in lisp.eval("(tiktoken_list_meta tok)")
    assert lisp.eval('(tiktoken_set_space tok "_")') is True
    assert lisp.eval('(@ (tiktoken_list_meta tok) "_")') == " "
    assert lisp.eval('(tiktoken_list_meta tok {"x":"y" "z":1})') is True
    assert lisp.eval('(@ (tiktoken_list_meta tok) "z")') == "1"


def test_a_vocabulary_that_is_not_byte_level():
    """Keys with characters outside the byte-level alphabet are UTF-8 text: a leading space of
    a piece is looked up as Ġ, a leading newline as Ċ, and decode applies the metas."""
    vocab = {"a": 0, "b": 1, "ab": 2, "\u0120": 3, "\u010a": 4, "中": 5, "!": 6, "c": 7,
             "\u0120ab": 8, "\u010ab": 9, "\u0122;": 10}
    lisp = raw(vocab, [("<s>", 11)], pattern=r" ?[a-z]+|\n[a-z]*|[^a-z\s]")
    tok = lisp.eval("tok")
    assert not tok.byte_level and tok.rank_order_violations() == []
    assert lisp.eval('(tiktoken_encode tok "ab ab\\nb中!<s>")') == [2, 8, 9, 5, 6, 11]
    assert lisp.eval("(tiktoken_decode tok (integers 8 9 6))") == " ab\nb!"
    assert lisp.eval("(tiktoken_decode_bytes tok (integers 8))") == list("\u0120ab".encode())
    # "Ģ;" is decoded before "Ģ" ("'s", not "';")
    assert lisp.eval("(tiktoken_decode tok (integers 10))") == "'s"
    assert lisp.eval('(tiktoken_add_meta tok "中" "zh")') is True
    assert lisp.eval("(tiktoken_decode tok (integers 5 11))") == "zh<s>"
    assert lisp.eval('(tiktoken_remove_meta tok "\u0120")') is True
    assert lisp.eval("(tiktoken_decode tok (integers 8))") == "\u0120ab"
    assert lisp.eval('(tiktoken_set_space tok "\u0120")') is True
    assert lisp.eval("(tiktoken_decode tok (integers 8))") == " ab"
    assert lisp.eval("(tiktoken_vocab_size tok)") == 11


def test_bytes_missing_from_the_vocabulary_are_dropped_as_in_the_cxx():
    lisp = raw({"a": 0, "b": 1, "ab": 2})
    assert lisp.eval('(tiktoken_encode tok "abc ba")') == [2, 1, 0]
    assert lisp.eval("(tiktoken_vocab_size tok)") == 3


def test_two_tokens_with_one_id_do_not_break_tiktoken():
    lisp = raw({"a": 0, "b": 0, "ab": 1, "c": 2, "d": 3})
    assert lisp.eval('(tiktoken_encode tok "ab ba dc")') == [1, 0, 0, 3, 2]


def test_specials_longest_first_and_empty_ones_ignored():
    vocab = {chr(c): i for i, c in enumerate(range(ord("a"), ord("z") + 1))}
    vocab.update({"<": 26, ">": 27, "x\u0120": 28})
    lisp = raw(vocab, [("<a>", 100), ("<a>b", 101), ("", 102)], pattern=r"\w+|[^\w\s]+|\s+")
    assert lisp.eval('(tiktoken_encode tok "<a>b<a>c")') == [101, 100, 2]
    assert lisp.eval('(tiktoken_special_encode tok "")') == 102
    assert lisp.eval("(tiktoken_decode tok (integers 101 102 100))") == "<a>b<a>"


def test_a_regex_that_matches_empty_strings():
    """tiktoken would panic on empty matches; the C++ (ICU) just skips them, and so do we."""
    vocab = {chr(c): c for c in range(ord("a"), ord("c") + 1)}
    vocab["aa"] = 200
    lisp = raw(vocab, pattern="a*")
    assert lisp.eval('(tiktoken_encode tok "baab aaa")') == [200, 200, 97]


def test_ids_that_are_not_a_merge_order_are_reported(capsys):
    # "abab" (id 1) can only be built from "ab" + "ab" (id 7): ids are not merge ranks
    lisp = raw({"a": 5, "b": 6, "ab": 7, "abab": 1, "xyz": 2})
    err = capsys.readouterr().err
    assert "not a BPE merge order (1 tokens, e.g. 'abab' with id 1" in err
    assert lisp.eval("tok").rank_order_violations() == [b"abab"]
    # the encoding is still lispe_tiktoken's: ids used as merge ranks
    assert lisp.eval('(tiktoken_encode tok "abab xyz")') == [1, 2]


def test_the_tiktoken_package_is_imported_only_by_tiktoken_create():
    code = ("import sys\nfrom lispe_py import LispE\nl = LispE()\nl.eval('(+ 1 2)')\n"
            "a = 'lispe_py.builtins.tiktoken_lib' in sys.modules\n"
            "l.eval(\"(use 'lispe_tiktoken)\")\n"
            "b = 'tiktoken' in sys.modules\n"
            "l.eval('(tiktoken_create (dictionary \"a\" 0) (list) \"a\")')\n"
            "print(a, b, 'tiktoken' in sys.modules)\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                       timeout=60)
    assert r.stdout.split() == ["False", "False", "True"], r.stderr


# --------------------------------------------------------------------------- error texts


@pytest.mark.parametrize("call", [
    '(tiktoken_encode 1 "a")', "(tiktoken_decode nil (integers 1))",
    '(tiktoken_special_encode "x" "a")', "(tiktoken_vocab_size (list))",
    '(tiktoken_set_space 1 "a")', '(tiktoken_add_meta 1 "a" "b")', '(tiktoken_remove_meta 1 "a")',
    "(tiktoken_list_meta 1)", "(tiktoken_decode_bytes 1 (list))",
    "(tiktoken_decode_single_token_bytes 1 2)", "(tiktoken_token_byte_values 1)"])
def test_a_builtin_given_something_else_than_a_tokenizer(call):
    lisp = LispE()
    lisp.eval("(use 'lispe_tiktoken)")
    assert error_text(lisp, call) == "Error: expecting a `tiktoken_' type"


@pytest.mark.parametrize("args, message", [
    ('(list) (list) "a"', "Wrong vocabulary format for tiktoken"),
    ('(dictionaryi 1 2) (list) "a"', "Wrong vocabulary format for tiktoken"),
    ('{"a":0} nil "a"', "Wrong special tokens format for tiktoken"),
    ('{"a":0} {"content":"x"} "a"', "Wrong special tokens format for tiktoken"),
    ('{"a":0} (list 1) "a"',
     "Wrong special tokens format for tiktoken: elements should be dictionaries"),
    ('{"a":0} (list) "(a"', "Error compiling regex ICU: U_REGEX_MISMATCHED_PAREN"),
    ('{"a":0} (list) "a)"', "Error compiling regex ICU: U_REGEX_MISMATCHED_PAREN"),
    ('{"a":0} (list) "[a"', "Error compiling regex ICU: U_REGEX_MISSING_CLOSE_BRACKET"),
    ('{"a":0} (list) "*a"', "Error compiling regex ICU: U_REGEX_RULE_SYNTAX"),
])
def test_tiktoken_create_errors(args, message):
    lisp = LispE()
    lisp.eval("(use 'lispe_tiktoken)")
    assert error_text(lisp, "(tiktoken_create %s)" % args) == message


def test_decoding_errors_and_missing_arguments(paths):
    lisp = make(paths["qwen"])
    assert error_text(lisp, "(tiktoken_decode tok (integers 1 99999))") == \
        "Unknown token in decode: 99999"
    assert error_text(lisp, "(tiktoken_decode tok (integers -1))") == \
        "Unknown token in decode: 4294967295"
    assert error_text(lisp, "(tiktoken_decode_bytes tok (integers 5000))") == \
        "Token 5000 not found in decoder"
    assert error_text(lisp, "(tiktoken_decode_single_token_bytes tok 5000)") == \
        "Token 5000 not found in decoder"
    assert error_text(lisp, "(tiktoken_list_meta tok 12)") == \
        "Error: Expecting a dictionary as input"
    assert error_text(lisp, "(tiktoken_encode tok)") == "Error: Wrong parameter description"
    assert lisp.eval('(tiktoken_vocab_size tok "extra" "ignored")') == 1024


# --------------------------------------------------------------------------- use


def test_use_names_of_the_library():
    for name in ("'lispe_tiktoken", "'liblispe_tiktoken", '"lispe_tiktoken.so"',
                 '"/some/where/liblispe_tiktoken.so"', "'lispe_torch", "'liblispe_torch"):
        assert LispE().eval("(use %s) 1" % name) == 1


def test_use_of_a_library_lispe_py_does_not_have(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LISPEPATH", raising=False)
    with pytest.raises(LispEError) as e:
        LispE().eval("(use 'nosuchlib)")
    assert e.value.text == (
        "Error: The variable LISPEPATH has not been initialized.\nLISPEPATH should point to the "
        "directory containing liblispe.so and your libraries:\n"
        "\texport LISPEPATH=the_path_to_the_libraries\n")
    monkeypatch.setenv("LISPEPATH", "/opt/lispe")
    for name, text in (("'nosuchlib", "/opt/lispe//opt/lispe/nosuchlib.so: cannot open shared "
                        "object file: No such file or directory: %s/libnosuchlib.so" % tmp_path),
                       ("'libfoo", "/opt/lispe//opt/lispe/foo.so: cannot open shared object "
                        "file: No such file or directory: %s/libfoo.so" % tmp_path),
                       ("'lispe_blas", "/opt/lispe//opt/lispe/lispe_blas.so: cannot open shared "
                        "object file: No such file or directory: %s/liblispe_blas.so" % tmp_path)):
        with pytest.raises(LispEError) as e:
            LispE().eval("(use %s)" % name)
        assert e.value.text == text
    monkeypatch.setenv("LISPEPATH", "/opt/lispe/")
    with pytest.raises(LispEError) as e:
        LispE().eval('(use "lispe_x.so")')
    assert e.value.text == ("/opt/lispe//opt/lispe/lispe_x.so: cannot open shared object file: "
                            "No such file or directory: %s/liblispe_x.so" % tmp_path)


def test_use_fails_when_the_program_is_compiled(tmp_path):
    f = tmp_path / "p.lsp"
    f.write_text('(println "before")\n(use \'nosuchlib)\n')
    r = subprocess.run([sys.executable, "-m", "lispe_py", str(f)], capture_output=True,
                       text=True, cwd=str(tmp_path), timeout=60,
                       env={k: v for k, v in os.environ.items() if k != "LISPEPATH"})
    assert r.returncode == 1 and r.stdout == ""
    assert r.stderr.startswith("%s:2:1: Error: The variable LISPEPATH has not been initialized."
                               % f)


def test_the_sandbox_allows_the_tiktoken_library():
    assert LispE(sandbox=True).eval("(use 'lispe_tiktoken) 1") == 1
    with pytest.raises(LispEError, match="module 'lispe_torch' is not allowed"):
        LispE(sandbox=True, modules=["lispe_tiktoken"]).eval("(use 'lispe_torch)")
    with pytest.raises(LispEError, match="module 'nosuchlib' is not allowed"):
        LispE(sandbox=True).eval("(use 'nosuchlib)")
