"""Pattern forms: defpat, defpred, data@ (see lispe_py.patterns)."""

from ..compiler.closures import _const
from . import special


@special("defpat")
def sf_defpat(form, ctx, tail):
    from ..patterns import define_pattern
    define_pattern(form, ctx)
    return _const(None)


@special("defpred")
def sf_defpred(form, ctx, tail):
    from ..patterns import define_predicate
    define_predicate(form, ctx)
    return _const(None)


@special("data@")
def sf_data(form, ctx, tail):
    from ..patterns import define_data
    define_data(form, ctx)
    return _const(None)
