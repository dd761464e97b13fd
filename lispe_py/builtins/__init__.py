"""Core builtin families. Importing this package registers them all in
:data:`lispe_py.builtins.registry.BUILTINS`."""

from . import registry  # noqa: F401
from . import arith, core, lists, functional, dicts, strings, maths, io, jsonfmt, extra  # noqa: F401
from . import threads, sequences, heap, dicttree, streams, random_dist, rgx, infinite, system, ontology, matrix, apl  # noqa: F401,E402  (the families of issue 15)
from . import tokenizer_rules  # noqa: F401,E402  (LispE's rule tokenizer)
from .. import help  # noqa: F401,E402  (the help builtin)
