"""LispE's rule-based tokenizer: ``tokenizer_rules`` (alias ``tokenizer``),
``tokenizer_main``, ``segmenter``, ``tokenize`` (alias ``tokenize_rules``),
``tokenizer_display``, ``get_tokenizer_rules``, ``set_tokenizer_rules``,
``get_tokenizer_operators``, ``set_tokenizer_operators``, ``segment_e``.

A rule is ``body=label``: the body is compiled into an automaton whose first nodes are
indexed on the characters they can start with (a table of 1611 code points, the others
in slot 0); a token is the longest prefix a rule's automaton accepts, tried in the order
of the rules indexed on the current character, then those of slot 0; a character no rule
takes is a token of its own (type 0). The rule language (LispE's): ``x`` a character,
``%x`` a class (``%a`` letter or ``_``, ``%C``/``%c`` upper/lower case, ``%d`` digit,
``%e``/``%E`` emoji (never true in LispE 1.2025.11.12), ``%h`` Greek, ``%H``
Chinese/Japanese/Korean, ``%n`` non-breaking space, ``%o`` operator, ``%p`` punctuation,
``%r`` carriage return, ``%s`` space or tab, ``%S`` any of these) or the character x
itself, ``#d`` the character of code d, ``#x-y`` an interval, ``?`` any character,
``(..)`` optional, ``{..}`` alternatives (separated by spaces), ``[..]`` a sequence inside
alternatives, ``x+`` / ``x*`` repetitions, ``x-`` not kept in the token, ``~x`` negation;
``C:body`` defines the meta class ``%C``; the label is a number, ``#`` (recognized, not
kept), ``!N`` (rule switched off), and ``=:`` makes the rule iterative (long strings).

The compilation (epsilon removal, merging of arcs, fail marks of negated alternatives)
and the traversal are LispE's, so that the tokens, their types and
``tokenizer_display``'s listing of the automata are the binary's, quirks included: a
string rule that runs to the end of the text leaves a NUL token, ``%a`` starts a token
only below U+064B, and the character classes read the low 16 bits of a code point."""

from ..errors import LispEError
from ..values import (TRUE, List, Short, Shorts, SetS, StringByte, Strings, to_string)
from . import _tokenizer_tables as _T
from .registry import builtin

# --------------------------------------------------------------------------- classes

def _table(ranges):
    out = bytearray(65536)
    for a, b in ranges:
        out[a:b + 1] = b"\x01" * (b - a + 1)
    return bytes(out)


_ALPHA = _table(_T.ALPHA)
_UPPER = _table(_T.UPPER)
_LOWER = _table(_T.LOWER)
_PUNCT = _table(_T.PUNCT)
_PUNCT_LIST = [c for c in range(65536) if _PUNCT[c]]
_SPACES = frozenset((9, 32, 160, 0x202F, 0x3000))
_SPACES_CR = frozenset((9, 10, 13, 32, 160, 0x202F, 0x3000))
_NBSP = frozenset((160, 0x202F, 0x3000))
_EMOJI_BELOW_TABLE = ()         # the emoji table of LispE starts no code point below 1611


def is_alpha(c):
    return c == 95 or _ALPHA[c & 0xFFFF] == 1


def is_upper(c):
    return _UPPER[c & 0xFFFF] == 1


def is_lower(c):
    return _LOWER[c & 0xFFFF] == 1


def is_punct(c):
    return _PUNCT[c & 0xFFFF] == 1


def is_ckj(u):
    return u >= 0x1100 and (u <= 0x115f or u == 0x2329 or u == 0x232a or
                            (0x2e80 <= u <= 0xa4cf and u != 0x303f) or
                            0xac00 <= u <= 0xd7a3 or 0xf900 <= u <= 0xfaff or
                            0xfe10 <= u <= 0xfe19 or 0xfe30 <= u <= 0xfe6f or
                            0xff00 <= u <= 0xff60 or 0xffe0 <= u <= 0xffe6 or
                            0x20000 <= u <= 0x2fffd or 0x30000 <= u <= 0x3fffd)


# --------------------------------------------------------------------------- nodes

(A_NONE, A_CHAR, A_UPPER, A_CKJ, A_SPACE_CR, A_ALPHA, A_LOWER, A_DIGIT, A_GREEK, A_NBS,
 A_OPERATOR, A_PUNCT, A_EMOJI, A_EMOJICOMP, A_CARRIAGE, A_SPACE, A_META, A_INTERVAL,
 A_ANY, A_EPSILON, A_END) = range(21)

F_NEG, F_SKIP, F_FAIL, F_START_FAIL, F_BLOCK, F_TAIL = 1, 2, 4, 8, 16, 32
F_ACTION = 63
F_VECTORIZED, F_POSTPONE, F_SEEN, F_VISITED, F_ADDED = 64, 128, 256, 512, 1024

TABLE_SIZE = 1611
_META_ACTIONS = {"C": A_UPPER, "H": A_CKJ, "S": A_SPACE_CR, "E": A_EMOJICOMP,
                 "a": A_ALPHA, "c": A_LOWER, "d": A_DIGIT, "e": A_EMOJI, "h": A_GREEK,
                 "n": A_NBS, "o": A_OPERATOR, "p": A_PUNCT, "r": A_CARRIAGE, "s": A_SPACE}
_X_ACTIONS = "CEHSacdehnoprs"


class Node:
    __slots__ = ("arcs", "idpos", "flags", "label", "endlabel", "action")

    def __init__(self, action, label, endlabel):
        self.arcs = []
        self.idpos = -1
        self.flags = 0
        self.action = action
        self.label = label
        self.endlabel = endlabel

    def pure_arc(self):
        return A_NONE < self.action < A_META and not self.flags & F_ACTION

    def is_epsilon(self):
        return self.action == A_EPSILON and not self.flags & F_ACTION

    def last(self):
        n = self
        while n.arcs:
            n = n.arcs[-1]
        return n

    def append_final(self, *nodes):
        n = self.last()
        if not n.flags & F_FAIL:
            n.arcs.extend(nodes)

    def fail_arcs(self):
        for n in self.arcs:
            n.flags |= F_START_FAIL
            n.last().flags |= F_FAIL

    def clone(self, a):
        self.arcs = list(a.arcs)
        self.action = a.action
        self.flags = a.flags
        self.label = a.label
        self.endlabel = a.endlabel

    def mark(self):
        stack = [self]
        while stack:
            n = stack.pop()
            if n.flags & F_VISITED:
                continue
            n.flags |= F_VISITED
            stack.extend(reversed(n.arcs))

    def check(self, c, ops, not_neg):
        if not c or self.flags & F_BLOCK:
            return False
        a = self.action
        if a == A_CHAR:
            return not_neg == (self.label == c)
        if a == A_ALPHA:
            return not_neg == is_alpha(c)
        if a == A_DIGIT:
            return not_neg == (48 <= c <= 57)
        if a == A_OPERATOR:
            return not_neg == (c in ops)
        if a == A_PUNCT:
            return not_neg == is_punct(c)
        if a == A_SPACE_CR:
            return not_neg == (c in _SPACES_CR)
        if a == A_SPACE:
            return not_neg == (c in _SPACES)
        if a == A_ANY or a == A_EPSILON:
            return True
        if a == A_UPPER:
            return not_neg == is_upper(c)
        if a == A_LOWER:
            return not_neg == is_lower(c)
        if a == A_CKJ:
            return not_neg == is_ckj(c)
        if a == A_GREEK:
            return not_neg == (913 <= c <= 987)
        if a == A_NBS:
            return not_neg == (c in _NBSP)
        if a == A_CARRIAGE:
            return not_neg == (c == 10 or c == 13)
        if a == A_INTERVAL:
            return not_neg == (self.label <= c <= self.endlabel)
        return False            # emoji classes, end, meta


# ----------------------------------------------------------------- epsilon removal

def _remove_epsilon(node, visited, current, nodes, epsilon):
    if node.flags & F_VISITED:
        return
    node.flags |= F_VISITED
    arcs = node.arcs
    if arcs:
        commons = {}
        nds = []
        for n in arcs:
            if n.pure_arc():
                key = n.action * 256 + n.label
                base = commons.get(key)
                if base is not None:
                    base.arcs.extend(n.arcs)
                else:
                    commons[key] = n
                    nds.append(n)
            else:
                nds.append(n)
        if len(nds) != len(arcs):
            node.arcs = arcs = nds
    vect = current if epsilon else set()
    for n in list(arcs):
        if n.is_epsilon():
            if len(n.arcs) == 1 and n.arcs[0].action == A_END:
                n.arcs[0].flags |= F_VISITED
                n.clone(n.arcs[0])
                n.arcs = []
                vect.add(n.idpos)
            elif n.flags & F_VISITED:
                seen = visited.get(n.idpos)
                if seen is not None:
                    vect |= seen
                else:
                    n.flags |= F_POSTPONE
                    vect.add(n.idpos)
            else:
                _remove_epsilon(n, visited, vect, nodes, True)
                visited[n.idpos] = set(vect)
                if n.flags & F_POSTPONE:
                    _postponed(n, visited[n.idpos], nodes, n.idpos)
        else:
            vect.add(n.idpos)
            _remove_epsilon(n, visited, vect, nodes, False)
    if not epsilon and vect:
        order = sorted(vect)
        node.arcs = [nodes[e] for e in order if nodes[e].pure_arc()] + \
                    [nodes[e] for e in order if not nodes[e].pure_arc()]
        for e in order:
            n = nodes[e]
            if n.flags & F_POSTPONE and e in visited:
                _postponed(node, visited[e], nodes, e)


def _postponed(node, seen, nodes, idpos):
    if node.flags & F_SEEN:
        return
    node.flags |= F_SEEN
    found = -1
    for i, a in enumerate(node.arcs):
        if a.idpos == idpos:
            found = i
        else:
            _postponed(a, seen, nodes, idpos)
    if found != -1:
        local = []
        v = {idpos}
        for i, a in enumerate(node.arcs):
            if i == found:
                for e in sorted(seen):
                    if e in v:
                        continue
                    local.append(nodes[e])
                    v.add(e)
            elif a.idpos not in v:
                local.append(a)
                v.add(a.idpos)
        node.arcs = local


# --------------------------------------------------------------------------- automaton

class TokenError(LispEError):
    def __init__(self, message):
        LispEError.__init__(self, message, prefix=False)


def _c_integer(s):
    """convertinginteger: an optional sign and digits (0 when there are none)."""
    i, n, sign = 0, len(s), 1
    if i < n and s[i] in "+-":
        sign = -1 if s[i] == "-" else 1
        i += 1
    v = 0
    start = i
    while i < n and "0" <= s[i] <= "9":
        v = v * 10 + ord(s[i]) - 48
        i += 1
    return sign * v if i > start else 0


_ERRORS = {
    1: "missing '=' sign for label assignment.",
    2: "too many closing brackets.",
    3: "a rule cannot start with %E (emoji complement).",
    4: "Closing parenthesis ')' does not match open parenthesis '('.",
    5: "Closing bracket ']' does not match open bracket '['.",
    6: "Closing brace '}' does not match open brace '{'.",
    7: "'+' operator is not associated with any element.",
    8: "'*' operator is not associated with any element.",
    9: "'*' operator is not associated with any element.",
    10: "'#' operator is not associated with a number or an interval.",
    11: "'-' operator is not associated with any element.",
}

_DEFAULT_OPERATORS = "¬§•°%@=!+-*/^<>~,&|#?\\$"


class Automaton:
    """One set of rules compiled into LispE's tokenizing automaton."""

    default_rules = ()

    def __init__(self):
        self.rules = []
        self.loaded = False
        self.operators = set()
        self.reset()

    # ---------------------------------------------------------------- compiling

    def reset(self):
        self.nodes = []
        self.compiled_rules = []
        self.table = [None] * TABLE_SIZE
        self.negation = 0
        self.disjunction = False
        self.initial = None
        self.table[0] = self.node(A_EPSILON, 0)
        self.indexed = {}
        self.operators = set(ord(c) for c in _DEFAULT_OPERATORS)
        self.loaded = False

    def node(self, action, label, endlabel=0):
        if action == A_META:
            action = _META_ACTIONS.get(chr(label), A_META)
        n = Node(action, label, endlabel)
        n.flags |= self.negation
        self.negation = 0
        n.idpos = len(self.nodes)
        self.nodes.append(n)
        return n

    def vectorize(self, a, c):
        if not c or c >= TABLE_SIZE:
            if a.flags & F_ADDED:
                return
            a.flags |= F_ADDED
            c = 0
        elif self.table[c] is None:
            self.table[c] = self.node(A_EPSILON, 0)
        self.table[c].arcs.append(a)
        a.flags |= F_VECTORIZED
        if self.initial is None:
            self.initial = a

    def append(self, root, n):
        if self.initial is None:
            self.initial = n
        if root is not None:
            root.arcs.append(n)
            if self.disjunction:
                return root
        elif not n.flags & F_VECTORIZED:
            self.vectorize(n, 0)
        return n

    def set_rules(self, rules):
        self.reset()
        self.rules = list(rules)
        self.compile()

    def get_rules(self):
        return list(self.rules) if self.rules else list(self.default_rules)

    def ensure_loaded(self):
        if not self.loaded:
            self.rules = self.rules + list(self.default_rules)
            self.compile()

    def _first_meta(self, anode, cc):
        """The vectorization of a class starting a rule (LispE's table of first chars)."""
        v = self.vectorize
        if cc == "C":
            for e in range(65, TABLE_SIZE):
                if is_upper(e):
                    v(anode, e)
        elif cc == "S":
            for e in (9, 10, 13, 32, 160, 0):
                v(anode, e)
        elif cc == "a":
            v(anode, 95)
            for e in range(65, TABLE_SIZE):
                if _ALPHA[e]:               # the class itself ('_' only counts in checks)
                    v(anode, e)
        elif cc == "c":
            for e in range(97, TABLE_SIZE):
                if is_lower(e):
                    v(anode, e)
        elif cc == "d":
            for e in range(48, 58):
                v(anode, e)
        elif cc == "e":
            for e in _EMOJI_BELOW_TABLE:
                v(anode, e)
            v(anode, 0)
        elif cc == "h":
            for e in range(913, 988):
                if _ALPHA[e]:
                    v(anode, e)
        elif cc == "n":
            v(anode, 160)
            v(anode, 0)
        elif cc == "o":
            for e in sorted(self.operators):
                v(anode, e)
        elif cc == "p":
            for e in _PUNCT_LIST:
                v(anode, e)
        elif cc == "r":
            v(anode, 10)
            v(anode, 13)
        elif cc == "s":
            for e in (9, 32, 160, 0):
                v(anode, e)

    def compile(self):
        metalines = {}
        brackets = []
        for raw in self.rules:
            line = raw
            if len(line) > 1 and line[1] == ":":
                key = "%" + line[0]
                body = line[2:]
                if metalines:
                    body = _replace_metas(metalines, body)
                metalines[key] = body
                self.compiled_rules.append(None)
                continue
            self._compile_rule(line, metalines, brackets)
        for nd in self.nodes:
            nd.flags &= F_ACTION
        table = self.table
        table[0].mark()
        for e in range(1, TABLE_SIZE):
            if table[e] is not None:
                if len(table[e].arcs) == 1:
                    table[e] = table[e].arcs[0]
                table[e].mark()
        live = [nd for nd in self.nodes if nd.flags & F_VISITED]
        for i, nd in enumerate(live):
            nd.idpos = i
        self.nodes = live
        self.loaded = True

    def _compile_rule(self, line, metalines, brackets):
        error = 0
        tail = False
        current = root = anode = None
        self.disjunction = False
        self.initial = None
        cb = ["*"]
        action_id = ""
        final = -1
        pos = line.rfind("=")
        if pos == -1:
            error = 1
        else:
            if line[pos + 1:pos + 2] == ":":
                tail = True
                pos += 1
            action_id = line[pos + 1:]
            head = action_id[:1]
            final = -2 if head == "!" else -1 if head == "#" else _c_integer(action_id)
            line = line[:pos - 1] if tail else line[:pos]
            if metalines:
                line = _replace_metas(metalines, line)
        first, first_value = True, False
        n = len(line)

        def at(i):
            return line[i] if i < n else "\0"
        i = 0
        while i < n and not error:
            cc = line[i]
            if not cb:
                error = 2
                break
            if cc == "%":
                cc = at(i + 1)
                if first:
                    if cc == "E":
                        error = 3
                    elif cc in "CHSacdehnoprs":
                        anode = self.node(A_META, ord(cc))
                        self._first_meta(anode, cc)
                        current = self.append(current, anode)
                    else:
                        anode = self.node(A_CHAR, ord(cc))
                        self.vectorize(anode, ord(cc))
                        current = self.append(current, anode)
                else:
                    anode = self.node(A_META if cc in _X_ACTIONS else A_CHAR, ord(cc))
                    root = current
                    current = self.append(current, anode)
                i += 1
            elif cc == "(":
                if first:
                    cb.append("^")
                    first_value = True
                anode = self.node(A_EPSILON, 0)
                current = self.append(current, anode)
                brackets.append(current)
                cb.append("(")
                self.disjunction = False
            elif cc == ")":
                if brackets:
                    root = brackets.pop()
                    anode = self.node(A_EPSILON, 0)
                    root.arcs.append(anode)
                    current = self.append(current, anode)
                    cb.pop()
                    first_value = False
                    if cb and cb[-1] == "^":
                        cb.pop()
                        first_value = True
                    self.disjunction = bool(cb) and cb[-1] == "{"
                    if first_value:
                        first_value = False
                        first = True
                        i += 1
                        continue
                else:
                    error = 4
            elif cc == "[":
                if first_value:
                    cb.append("^")
                cb.append("[")
                brackets.append(current)
                current = self.node(A_EPSILON, 0)
                brackets.append(current)
                self.disjunction = False
            elif cc == "]":
                if len(brackets) >= 2:
                    anode = brackets.pop()
                    current = brackets.pop()
                    if current is None or not anode.arcs:
                        raise TokenError("Error in: %s. Error is: " % line)
                    if current.flags & F_NEG:
                        current.fail_arcs()
                        anode = self.node(A_ANY, 0)
                        current.arcs.append(anode)
                        raise TokenError("Error in: %s. Error is: " % line)   # LispE crashes
                    root = current
                    current.arcs.append(anode.arcs[0])
                    cb.pop()
                    if cb and cb[-1] == "^":
                        cb.pop()
                        first_value = True
                    self.disjunction = bool(cb) and cb[-1] == "{"
                else:
                    error = 5
            elif cc == "{":
                anode = self.node(A_EPSILON, 0)
                self.disjunction = False
                current = self.append(current, anode)
                brackets.append(current)
                self.disjunction = True
                cb.append("{")
                if first:
                    first_value = True
            elif cc == "}":
                if brackets:
                    first_value = False
                    self.disjunction = False
                    current = brackets.pop()
                    root = current
                    if current.flags & F_NEG:
                        current.fail_arcs()
                        anode = self.node(A_ANY, 0)
                        current.arcs.append(anode)
                    if at(i + 1) not in "+*":
                        anode = self.node(A_EPSILON, 0)
                        k = 0
                        while k < len(current.arcs):
                            current.arcs[k].append_final(anode)
                            k += 1
                        if current.flags & F_NEG:
                            current.arcs.append(anode)
                        current = anode
                    cb.pop()
                    self.disjunction = bool(cb) and cb[-1] == "{"
                else:
                    error = 6
            elif cc == "+":
                if i:
                    anode = self.node(A_EPSILON, 0)
                    if current.action == A_EPSILON:
                        k = 0
                        while k < len(current.arcs):
                            current.arcs[k].append_final(current, anode)
                            k += 1
                        if current.arcs and current.arcs[0].flags & F_START_FAIL:
                            current.arcs.append(anode)
                    else:
                        current.arcs.append(current)
                        current = self.append(current, anode)
                    current = anode
                else:
                    error = 7
            elif cc == "*":
                if i:
                    if root is None:
                        error = 8
                    else:
                        anode = self.node(A_EPSILON, 0)
                        if current.action == A_EPSILON:
                            k = 0
                            while k < len(current.arcs):
                                current.arcs[k].append_final(current, anode)
                                k += 1
                            if current.arcs and current.arcs[0].flags & F_START_FAIL:
                                current.arcs.append(anode)
                        else:
                            current.arcs.append(current)
                            current = self.append(current, anode)
                        current = anode
                        root.arcs.append(anode)
                else:
                    error = 9
            elif cc == "#":
                if at(i + 2) == "-":
                    lo, hi = ord(at(i + 1)), ord(at(i + 3))
                    anode = self.node(A_INTERVAL, lo, hi)
                    if first:
                        for c in range(lo, hi + 1):
                            self.vectorize(anode, c)
                    root = current
                    current = self.append(current, anode)
                    i += 3
                elif "0" <= at(i + 1) <= "9":
                    i += 1
                    e = 0
                    while i < n and "0" <= line[i] <= "9":
                        e = e * 10 + ord(line[i]) - 48
                        i += 1
                    i -= 1
                    anode = self.node(A_CHAR, e)
                    if first:
                        self.vectorize(anode, e)
                    root = current
                    current = self.append(current, anode)
                else:
                    error = 10
            elif cc == "-":
                if i and current is not None:
                    current.flags |= F_SKIP
                else:
                    error = 11
            elif cc == "~":
                self.negation = F_NEG
            elif cc == "?":
                anode = self.node(A_ANY, 63)
                root = current
                current = self.append(current, anode)
            elif cc == " " and cb and cb[-1] == "{":
                i += 1
                continue
            else:
                anode = self.node(A_CHAR, ord(cc))
                if first:
                    self.vectorize(anode, ord(cc))
                root = current
                current = self.append(current, anode)
            first = first_value
            if first_value and cb and cb[-1] in "[(":
                first_value = False
            i += 1
        if self.initial is None or error or brackets:
            del brackets[:]
            raise TokenError("Error in: %s. Error is: %s" % (line, _ERRORS.get(error, "")))
        if final == -2:
            final = _c_integer(action_id[1:]) if len(action_id) > 1 else 0
            self.initial.flags |= F_BLOCK
        initial = self.initial
        self.append(current, self.node(A_END, final & 0xFFFFFFFF))
        _remove_epsilon(initial, {}, set(), self.nodes, initial.is_epsilon())
        if final > 0:
            self.indexed.setdefault(final, []).append(initial)
        if tail:
            a = initial
            while len(a.arcs) == 1:
                a = a.arcs[0]
            a.flags |= F_TAIL
        self.compiled_rules.append(initial)

    # ---------------------------------------------------------------- display

    def display(self):
        out = []
        for i, a in enumerate(self.compiled_rules):
            if a is None:
                continue
            out.append(self.rules[i] + "\n")
            _as_string(a, set(), out, 0, True)
        return "".join(out)

    # ---------------------------------------------------------------- tokenizing

    def tokenize(self, text, types):
        self.ensure_loaded()
        r = _Result(text, types)
        self._apply(r)
        return r

    def _apply(self, r):
        table = self.table
        r.getnext()
        while not r.end():
            c = r.currentchr
            p = r.position
            n = table[c] if c < TABLE_SIZE else None
            if (n is None or not self._traverse(r, n, False, True)) and \
                    not self._traverse(r, table[0], False, True):
                r.store_currentchr()
                r.getnext()
            elif r.position == p and r.currentchr == c:
                # a rule took an empty token: LispE would loop here for ever
                raise LispEError("tokenizer rules match an empty string at position %d"
                                 % max(p - 1, 0))

    def _traverse(self, r, rule, already, top):
        if rule.action == A_END:
            r.store(rule.label)
            return True
        if r.end():
            return False
        if top:
            r.start = r.position - r.sz_read
            r.token = []
        ops = self.operators
        chr_, line, p = r.currentchr, r.line, r.position
        toklen = len(r.token)
        sz = len(rule.arcs)
        while sz == 1 and not r.end():
            if already or rule.check(r.currentchr, ops, not rule.flags & F_NEG):
                if rule.flags & F_FAIL:
                    return True
                if rule.flags & F_TAIL:
                    return self._iterative(r, rule)
                if rule.action != A_EPSILON:
                    if not rule.flags & F_SKIP:
                        r.token.append(r.currentchr)
                    r.getnext()
                rule = rule.arcs[0]
                if rule.action == A_END:
                    r.store(rule.label)
                    return True
                already = False
                sz = len(rule.arcs)
            else:
                del r.token[toklen:]
                r.currentchr, r.line, r.position = chr_, line, p
                return False
        if already or rule.check(r.currentchr, ops, not rule.flags & F_NEG):
            if rule.flags & F_FAIL:
                return True
            if rule.flags & F_TAIL:
                return self._iterative(r, rule)
            already = False
            if rule.action != A_EPSILON:
                if not rule.flags & F_SKIP:
                    r.token.append(r.currentchr)
                already = True
                r.getnext()
            arcs = rule.arcs
            i = 0
            while i < sz:
                a = arcs[i]
                if a.action == A_END:
                    r.store(a.label)
                    return True
                if a.check(r.currentchr, ops, not a.flags & F_NEG):
                    if already and a is rule:
                        i = 0
                        if not a.flags & F_SKIP:
                            r.token.append(r.currentchr)
                        r.getnext()
                        continue
                    if a.flags & F_FAIL or self._traverse(r, a, True, False):
                        return not a.flags & F_START_FAIL
                i += 1
        del r.token[toklen:]
        r.currentchr, r.line, r.position = chr_, line, p
        return False

    def _iterative(self, r, rule):
        ops = self.operators
        r.clear_stack()
        r.push_stack(rule, 0)
        if rule.action != A_EPSILON:
            if not rule.flags & F_SKIP:
                r.token.append(r.currentchr)
            r.getnext()
        i = 0
        sz = len(rule.arcs)
        while r.r_stack and not r.end():
            while i < sz and not r.end():
                a = rule.arcs[i]
                if a.action == A_END:
                    r.store(a.label)
                    return True
                if a.check(r.currentchr, ops, not a.flags & F_NEG):
                    if a is rule:
                        i = 0
                        if a.action != A_EPSILON:
                            if not a.flags & F_SKIP:
                                r.token.append(r.currentchr)
                            r.getnext()
                        continue
                    r.check_stack(a)
                    r.push_stack(a, i + 1)
                    if a.action != A_EPSILON:
                        if not a.flags & F_SKIP:
                            r.token.append(r.currentchr)
                        r.getnext()
                    rule = a
                    sz = len(rule.arcs)
                    i = 0
                    break
                i += 1
            if i == sz:
                i = r.pop_stack()
                if r.r_stack:
                    rule = r.r_stack[-1]
                    sz = len(rule.arcs)
        return False


def _replace_metas(metalines, line):
    if "%" not in line or len(line) == 1:
        return line
    for k in sorted(metalines):
        if k in line:
            line = line.replace(k, metalines[k])
    return line


def _label_text(v):
    return str(v if v < 33 else v & 0xFF)


def _as_string(a, shared, out, blanks, top):
    again = a.idpos in shared
    shared.add(a.idpos)
    s = [" " * blanks]
    if a.flags & F_NEG:
        s.append("~")
    if a.flags & F_SKIP:
        s.append("-")
    if a.flags & F_START_FAIL:
        s.append("<BE>" if a.flags & F_FAIL else "<B>")
    elif a.flags & F_FAIL:
        s.append("<E>")
    if a.action == A_META:
        s.append("%")
    if a.action == A_END:
        s.append("$" + _label_text(a.label))
    elif not a.label:
        s.append("ANY" if a.action == A_ANY else "EPSILON")
    else:
        s.append(_label_text(a.label))
        if a.endlabel:
            s.append("-" + _label_text(a.endlabel))
    if again and a.action != A_END:
        out.append("".join(s) + "_SEE_%d\n" % a.idpos)
        return
    out.append("".join(s) + "_%d\n" % a.idpos)
    for b in a.arcs:
        _as_string(b, shared, out, blanks + 2, False)
    if top:
        out.append("\n")


class _Result:
    """LispE's tokenizer_result on a string of code points."""

    __slots__ = ("buffer", "size", "position", "currentchr", "line", "start", "sz_read",
                 "token", "stack", "types", "store_all", "r_stack", "i_stack", "p_stack")

    def __init__(self, text, store_all):
        self.buffer = [ord(c) for c in text]
        self.size = len(self.buffer)
        self.position = 0
        self.currentchr = 0
        self.line = 0
        self.start = 0
        self.sz_read = 0
        self.token = []
        self.stack = []
        self.types = []
        self.store_all = store_all
        self.r_stack, self.i_stack, self.p_stack = [], [], []

    def end(self):
        return self.position >= self.size and not self.currentchr

    def getnext(self):
        if self.position >= self.size:
            self.currentchr = 0
            return
        self.sz_read = 1
        self.line += self.currentchr == 10
        self.currentchr = self.buffer[self.position]
        self.position += 1

    def store_currentchr(self):
        self.stack.append(chr(self.currentchr))
        if self.store_all:
            self.types.append(0)
        self.start = self.position

    def store(self, label):
        if label >= 0x80000000:
            label -= 0x100000000
        if label != -1:
            self.stack.append("".join(map(chr, self.token)))
            if self.store_all:
                self.types.append(label & 0xFF)

    def clear_stack(self):
        self.r_stack, self.i_stack, self.p_stack = [], [], []

    def check_stack(self, rule):
        if len(self.r_stack) > 1000 and rule is self.r_stack[1]:
            del self.r_stack[1:]
            del self.i_stack[1:]
            del self.p_stack[3:]

    def push_stack(self, rule, i):
        self.r_stack.append(rule)
        self.i_stack.append(i)
        self.p_stack.extend((self.line, self.position, len(self.token), self.currentchr))

    def pop_stack(self):
        i = self.i_stack.pop()
        self.r_stack.pop()
        p = self.p_stack
        self.currentchr = p.pop()
        del self.token[p.pop():]
        self.position = p.pop()
        self.line = p.pop()
        return i


# --------------------------------------------------------------------------- rule sets

_RULES = r"""%s+=32
#10+=10
#13=#
';+=59
'=39
#27%[{%d;,}+m=#
.=46
:=58
%(=40
%)=41
%[=91
%]=93
%{=123
%}=125
;;?+;;=:67
;?+%r=67
%#!?+%r=67
\"\"\"?*\"\"\"=:96
\"{[\-\"] ~%r}*\"=:34
b\"{[\-\"] ~%r}*\"=:34
`?*`=:96
b`?*`=:97
«?*»=:96
“?*”=:96
‘?*’=:96
„?*”=:96
❝?*❞=:96
b«?*»=:96
b“?*”=:96
b‘?*’=:96
b„?*”=:96
b❝?*❞=:96
N:{%- %+}
F:{%d #A-F #a-f}
P:{pP}(%N)%d+
D:.%F+(%P)
X:{eE}(%N)%d+
V:.%d+(%X)
R:%d+(%V)
I:,(%N)(%R)i
%N0x%F+(%D)=57
0x%F+(%D)=57
%N0b{1 0}+=57
0b{1 0}+=57
%N%R(%I)=57
%R(%I)=57
%%%d+=65
%%{%o %p}=65
${%a %d}+=65
%#{%a %d}+=65
%o+=63
%e%E*=65
%H{%H %d %o}*=65
%h{%h %d %o}*=65
%a{%a %d %o}*=65
%p=32
~{%S %o %p}+=65""".replace('\\"', '"').split("\n")

_SEGMENTER_RULES = r"""%S=!99
%S+=#
%d+{[rd][th][nd][er][ième][ieme]}=1
%d(%d)(:%d%d){[am][pm]}=1
%d(%d){:h}%d%d=1
1:{%d #A-F #a-f}
{%- %+}%d+[,%d%d%d]+=22
{%- %+}%d+[{.#32}%d%d%d]+=!66
{%- %+}%d+[{,.#32}%d%d%d]+=!88
%d+[,%d%d%d]+=22
%d+[{.#32}%d%d%d]+=!66
%d+[{,.#32}%d%d%d]+=!88
{%- %+}0x%1+(.%1+({pP}({%- %+})%d+))=22
{%- %+}0x%1+(,%1+({pP}({%- %+})%d+))=!66
{%- %+}0x%1+({,.}%1+({pP}({%- %+})%d+))=!88
{%- %+}%d+(.%d+({eE}({%- %+})%d+))=22
{%- %+}%d+(,%d+({eE}({%- %+})%d+))=!66
{%- %+}%d+({,.}%d+({eE}({%- %+})%d+))=!88
0x%1+(.%1+({p P}({%- %+})%d+))=22
0x%1+(,%1+({p P}({%- %+})%d+))=!66
0x%1+({,.}%1+({p P}({%- %+})%d+))=!88
%d+(.%d+({eE}({%- %+})%d+))=22
%d+(,%d+({eE}({%- %+})%d+))=!66
%d+({,.}%d+({eE}({%- %+})%d+))=!88
{%- %+}0b{1 0}+=1
0b{1 0}+=1
%#{%a %d}+=1
${%a %d}+=1
http(s)://{%a %d . = %# & %? / %- %+}+=1
{%a %d . %- %+}+@{%a %d . = & %? %# %- %+}+=1
%o=1
%p=1
%e%E*=1
%H{%H %d}*=1
%h{%h %- %d}*=1
%a{%a %- '’ %d}*=1
~{%S %o %p}+=1""".split("\n")


def _main_rules():
    rules = list(_RULES)
    rules[0] = "%s+=#"
    i = rules.index(";;?+;;=:67")
    rules[i:i + 3] = [";;?+;;=:#", ";?+#10=#", "%#!?+%r=#"]
    return tuple(rules)


class RuleTokenizer(Automaton):
    default_rules = tuple(_RULES)


class MainTokenizer(Automaton):
    default_rules = _main_rules()


class Segmenter(Automaton):
    """LispE's segmenter: switches rule 99 (keep blanks) and the decimal separator rules
    (22: point, 66: comma, 88: both) on and off."""

    default_rules = tuple(_SEGMENTER_RULES)

    def __init__(self):
        Automaton.__init__(self)
        self.decimal = 0
        self.blanks = False

    def _has(self, label):
        return bool(self.indexed.get(label))

    def keepblanks(self, keep):
        if self._has(99) and self.blanks != keep:
            self.blanks = keep
            n = self.indexed[99][0]
            if keep:
                n.flags &= ~F_BLOCK
            else:
                n.flags |= F_BLOCK

    def setdecimalmode(self, sep):
        sep = ((sep & 0xFF) ^ 0x80) - 0x80          # LispE passes it as a char
        if self._has(22) and self._has(66) and self._has(88) and self.decimal != sep:
            self.decimal = sep
            on = {0: 22, 1: 66, 2: 88}.get(sep)
            if on is None:
                return
            for label in (22, 66, 88):
                for n in self.indexed[label]:
                    if label == on:
                        n.flags &= ~F_BLOCK
                    else:
                        n.flags |= F_BLOCK


# --------------------------------------------------------------------------- values

class StringBytes(Strings):
    """LispE's ``stringbytes_`` list (a tokenized byte string)."""

    __slots__ = ()
    kind = "stringbytes_"


class TokenizeRule:
    """What tokenizer_rules, tokenizer_main and segmenter return (type tokenize_rule)."""

    kind = "tokenize_rule"

    def __init__(self, automaton, name, main=False):
        self.tok = automaton
        self.name = name
        self.main = main

    def lispe_str(self):
        return self.name


def _shared(interp, key, cls):
    """The interpreter's own main tokenizer or segmenter (LispE keeps one of each)."""
    d = interp.rule_tokenizers
    t = d.get(key)
    if t is None:
        t = d[key] = cls()
        t.ensure_loaded()
    return t


def _rules_arg(r):
    if not isinstance(r, TokenizeRule):
        raise LispEError("the first element should be a string_rule object")
    return r


def _in_thread():
    from .threads import LOCAL
    return LOCAL.owner is not None


def _tokens(tok, s, types):
    """The tokens of s (Strings, or StringBytes for a byte string) and, with types, the
    list (tokens types)."""
    is_bytes = isinstance(s, StringByte)
    text = str(s) if isinstance(s, str) else to_string(s)
    r = tok.tokenize(text, bool(types) and not isinstance(tok, Segmenter))
    if is_bytes:
        out = StringBytes(StringByte(t) for t in r.stack)
    else:
        out = Strings(r.stack)
    if not types:
        return out
    return List([out, Shorts(Short(t) for t in r.types)])


@builtin("tokenizer_rules", "tokenizer", library=True, params=[],
         doc="Return a rule object")
def tokenizer_rules():
    """(tokenizer_rules) or (tokenizer): a new rule tokenizer with LispE's default rules."""
    t = RuleTokenizer()
    t.ensure_loaded()
    t.rules = list(RuleTokenizer.default_rules)
    return TokenizeRule(t, "rules")


@builtin("tokenizer_main", library=True, interp=True, params=[],
         doc="Return LispE internal tokenizer")
def tokenizer_main(interp, env):
    """(tokenizer_main): LispE's own tokenizer (one for the whole program: no blanks, no
    comments)."""
    return TokenizeRule(_shared(interp, "main", MainTokenizer), "rules", main=True)


@builtin("segmenter", library=True, params=["keepblanks", "point"],
         doc="Returns the segmenter object: (segmenter keepblanks point). point == 0 is "
             "regular decimal point. point == 1 uses comma as decimal point. point == 2 "
             "enables both point and comma.")
def segmenter(keepblanks, point):
    """(segmenter keepblanks point): a new segmenter (words, numbers, URLs, punctuation);
    point 0 reads 1.5 as a number, 1 reads 1,5, 2 both; blanks are tokens when keepblanks
    is true (the types of a segmenter's tokens are never kept)."""
    from .core import integer
    from ..values import truthy
    t = Segmenter()
    t.ensure_loaded()
    t.rules = list(Segmenter.default_rules)
    t.keepblanks(truthy(keepblanks))
    t.setdecimalmode(_as_short(integer(point) if point is not None else 0))
    return TokenizeRule(t, "segmenter")


def _as_short(v):
    v &= 0xFFFF
    return v - 0x10000 if v >= 0x8000 else v


@builtin("tokenize", "tokenize_rules", library=True, params=["rules", "str", "(types)"],
         doc="Tokenize a string into a list of tokens with internal rules")
def tokenize(rules, s, types=None):
    """(tokenize rules str [types]): the tokens of str; with types true, the list (tokens
    types) where types are the labels of the rules that produced them (0 for a character
    no rule took)."""
    from ..values import truthy
    r = _rules_arg(rules)
    return _tokens(r.tok, s, truthy(types))


@builtin("tokenizer_display", library=True, params=["rules"],
         doc="Display the underlying automata, into which rules were compiled")
def tokenizer_display(rules):
    """(tokenizer_display rules): each rule followed by its compiled automaton, one node a
    line (LispE's listing: node labels as numbers, _ID, _SEE_ID for a node shown above)."""
    t = _rules_arg(rules).tok
    t.ensure_loaded()
    return t.display()


@builtin("get_tokenizer_rules", library=True, params=["rules"],
         doc="Return the internal tokenization rules")
def get_tokenizer_rules(rules):
    """(get_tokenizer_rules rules): the rules as a list of strings."""
    return Strings(_rules_arg(rules).tok.get_rules())


@builtin("set_tokenizer_rules", library=True, params=["rules", "lst"],
         doc="Set the internal tokenization rules")
def set_tokenizer_rules(rules, lst):
    """(set_tokenizer_rules rules list): replace the rules and compile them (an error names
    the rule that does not compile); true."""
    r = _rules_arg(rules)
    if not isinstance(lst, list):
        raise LispEError("This function expects a list")
    if r.main and _in_thread():
        raise LispEError("You cannot modify the main tokenizer rules in a thread")
    r.tok.set_rules([to_string(x) for x in lst])
    return TRUE


@builtin("get_tokenizer_operators", library=True, params=["rules"],
         doc="Returns the list of operators, which are used with metacharacter: %o")
def get_tokenizer_operators(rules):
    """(get_tokenizer_operators rules): the set of the characters %o matches."""
    return SetS(chr(c) for c in _rules_arg(rules).tok.operators)


@builtin("set_tokenizer_operators", library=True, params=["rules", "a_set"],
         doc="Sets the list of operators, which are used with metacharacter: %o")
def set_tokenizer_operators(rules, a_set):
    """(set_tokenizer_operators rules a_set): %o now matches the first character of each
    string of the set (the rules are not recompiled); true."""
    r = _rules_arg(rules)
    if not isinstance(a_set, SetS):
        raise LispEError("This function expects a set of strings (sets)")
    if r.main and _in_thread():
        raise LispEError("You cannot modify the main tokenizer oeprators in a thread")
    r.tok.operators = set(ord(s[0]) for s in a_set if s)
    return TRUE


def segment_lispe(interp, s, point=0, keepblanks=False):
    """LispE's segment / segment_e: the interpreter's segmenter with these settings."""
    t = _shared(interp, "segmenter", Segmenter)
    t.keepblanks(keepblanks)
    t.setdecimalmode(_as_short(point))
    return _tokens(t, s, False)


@builtin("segment_e", library=True, interp=True, params=["str", "(point 0)"],
         doc="Tokenize a string into a list of tokens with LispE tokenize. Keep also the blanks")
def segment_e(interp, env, s, point=0):
    """(segment_e str [point]): str cut by LispE's segmenter, blanks kept as tokens; point
    0 reads 1.5 as a number, 1 reads 1,5, 2 both."""
    from .core import integer
    return segment_lispe(interp, s, _as_short(integer(point)) if point is not None else 0, True)
