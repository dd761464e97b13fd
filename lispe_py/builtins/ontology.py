"""Ontologies (LispE's ``ontology`` library): concepts are sets of bits, one bit per named
concept; a concept created from another one contains its bits plus its own.

``ontology_all`` and ``ontology_find`` walk the names in the order of LispE's
``std::unordered_map``; ``ontology_list`` gives the concepts of the highest bit first."""

from ..errors import LispEError
from ..values import TRUE, List, lbool, to_string
from .registry import builtin


class Ontology:
    kind = "ontology_"

    def __init__(self, name):
        self.name = name
        self.concepts = []          # index -> name
        self.indexes = {}           # name -> Concept
        self.absurd = Concept(self, "_absurd", 0, 1)
        self.concepts.append("_absurd")
        self.indexes["_absurd"] = self.absurd

    def lispe_str(self):
        return self.name

    def names_in_map_order(self):
        return _umap_order(list(self.indexes))

    def create(self, name, conc=None):
        if conc is self.absurd:
            return conc
        c = self.indexes.get(name)
        if c is not None:
            return c
        i = len(self.concepts)
        bits = (conc.bits if conc is not None else 0) | (1 << i)
        c = Concept(self, name, i, bits)
        self.concepts.append(name)
        self.indexes[name] = c
        return c


class Concept:
    kind = "concept_"

    def __init__(self, onto, name, index, bits):
        self.onto = onto
        self.name = name
        self.index = index
        self.bits = bits

    def lispe_str(self):
        return self.name

    def same(self, other):
        if other.onto is not self.onto:
            raise LispEError("these concepts do not belong to the same ontology")


def _umap_order(keys):
    """Iteration order of a libstdc++ unordered_map<u32string, ...> filled with keys in order."""
    from .unordered import string_hash, umap_order
    return umap_order(keys, string_hash)


def _onto(h):
    if not isinstance(h, Ontology):
        raise LispEError("the first argument should be an ontology")
    return h


def _remove_bits(c, a):
    """LispE's concept_remove: 64-bit words; a word emptied gives the concept its own bit back."""
    if a is c:
        if not c.index:
            return c.onto.absurd
        c.bits = 1 << c.index
        return c
    c.same(a)
    before = c.bits
    after = before & ~a.bits
    emptied = False
    word = 0
    while (before >> (64 * word)) or (a.bits >> (64 * word)):
        mask = ((1 << 64) - 1) << (64 * word)
        if before & mask and a.bits & mask and not after & mask:
            emptied = True
        word += 1
    if emptied and c.index:
        after |= 1 << c.index
    c.bits = after
    if not c.bits:
        return c.onto.absurd
    return c


@builtin("ontology", library=True, params=["name"], doc="Creates an ontology hierarchy")
def ontology(name):
    """(ontology name): a new ontology (its first concept is '_absurd')."""
    return Ontology(to_string(name))


@builtin("ontology_ontology", library=True, params=["conc"],
         doc="Returns the ontology in which this concept is declared")
def ontology_ontology(conc):
    """(ontology_ontology conc): the ontology of the concept."""
    if not isinstance(conc, Concept):
        raise LispEError("the first argument should be a concept")
    return conc.onto


@builtin("ontology_create", library=True, params=["h", "name", "(conc)"],
         doc="Creates a new concept based on its name. The concept description can also be provided")
def ontology_create(h, name, conc=None):
    """(ontology_create h name (conc)): the concept called name (created when new; a new one
    contains conc)."""
    h = _onto(h)
    if conc is not None and not isinstance(conc, Concept):
        raise LispEError("the last element should be a 'concept'")
    return h.create(to_string(name), conc)


@builtin("ontology_concept", library=True, params=["h", "name"],
         doc="Returns the concept associated with this name")
def ontology_concept(h, name):
    """(ontology_concept h name): the concept called name."""
    c = _onto(h).indexes.get(to_string(name))
    if c is None:
        raise LispEError("unknown concept")
    return c


@builtin("ontology_contain", library=True, params=["large_conc", "conc"],
         doc="Check if mother contains conc")
def ontology_contain(large, conc):
    """(ontology_contain large_conc conc): true when every bit of conc is in large_conc."""
    if not isinstance(conc, Concept) or not isinstance(large, Concept):
        raise LispEError("We can only compare concepts")
    large.same(conc)
    return lbool(large.bits & conc.bits == conc.bits)


@builtin("ontology_intersect", library=True, params=["conc", "a"],
         doc="Checks if two concepts have concepts in common")
def ontology_intersect(conc, a):
    """(ontology_intersect conc a): true when the two concepts share a bit."""
    if not isinstance(conc, Concept) or not isinstance(a, Concept):
        raise LispEError("We can only compare concepts")
    conc.same(a)
    return lbool(conc.bits & a.bits)


@builtin("ontology_add", library=True, params=["conc", "a"],
         doc="Enriches the concept with the other concept")
def ontology_add(conc, a):
    """(ontology_add conc a): add the bits of a (a concept or a list of concepts) to conc; conc."""
    if not isinstance(conc, Concept):
        raise LispEError("We can only enrich with concepts")
    items = [a] if isinstance(a, Concept) else a if isinstance(a, list) else None
    if items is None or not all(isinstance(x, Concept) for x in items):
        raise LispEError("We can only enrich with concepts")
    for x in items:
        conc.same(x)
        conc.bits |= x.bits
    return conc


@builtin("ontology_remove", library=True, params=["conc", "a"],
         doc="Removes a concept from another concept")
def ontology_remove(conc, a):
    """(ontology_remove conc a): remove the bits of a (a concept or a list) from conc; conc, or
    '_absurd' when nothing is left."""
    msg = "We can only remove a concept from another concept"
    if not isinstance(conc, Concept):
        raise LispEError(msg)
    if isinstance(a, Concept):
        return _remove_bits(conc, a)
    if isinstance(a, list) and all(isinstance(x, Concept) for x in a):
        for x in a:
            _remove_bits(conc, x)
        return conc
    raise LispEError(msg)


@builtin("ontology_list", library=True, params=["conc"],
         doc="Returns the list of concepts stored in concepts")
def ontology_list(conc):
    """(ontology_list conc): the named concepts whose bit conc holds, highest bit first."""
    if not isinstance(conc, Concept):
        raise LispEError("the last element should be a 'concept'")
    h = conc.onto
    out = List()
    i = conc.bits.bit_length() - 1
    while i >= 0:
        if conc.bits >> i & 1 and i < len(h.concepts):
            out.append(h.indexes[h.concepts[i]])
        i -= 1
    return out


@builtin("ontology_find", library=True, params=["h", "conc"],
         doc="Checks if a concept has a name in the ontology")
def ontology_find(h, conc):
    """(ontology_find h conc): the name of a concept with exactly conc's bits, or ""."""
    h = _onto(h)
    if not isinstance(conc, Concept):
        raise LispEError("the last element should be a 'concept'")
    if conc.onto is not h:
        raise LispEError("this concept does not belong to this ontology")
    for name in h.names_in_map_order():
        if h.indexes[name].bits == conc.bits:
            return name
    return ""


@builtin("ontology_absurd", library=True, params=["h"], doc="Returns the '_absurd' concept")
def ontology_absurd(h):
    """(ontology_absurd h): the '_absurd' concept of the ontology."""
    return _onto(h).absurd


@builtin("ontology_absurdp", library=True, params=["conc"], doc="Checks if the concept is '_absurd'")
def ontology_absurdp(conc):
    """(ontology_absurdp conc): true for the '_absurd' concept."""
    if not isinstance(conc, Concept):
        raise LispEError("the first argument should be a concept")
    return lbool(conc is conc.onto.absurd)


@builtin("ontology_all", library=True, params=["h"], doc="Returns the list of all concepts")
def ontology_all(h):
    """(ontology_all h): every concept of the ontology ('_absurd' included)."""
    h = _onto(h)
    return List(h.indexes[n] for n in h.names_in_map_order())


del TRUE
