"""lispe-py: LispE in Python, with lispetorch's PyTorch builtins.

    from lispe_py import LispE, LispEError
"""

__version__ = "0.1.0"
__all__ = ["LispE", "LispEError", "__version__"]


def __getattr__(name):
    if name == "LispE":
        from .api import LispE
        return LispE
    if name == "LispEError":
        from .errors import LispEError
        return LispEError
    raise AttributeError(name)
