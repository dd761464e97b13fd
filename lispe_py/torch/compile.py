"""``torch_compile``: PyTorch 2's compiler (TorchDynamo + inductor) on lispe-py modules
(lispe-py; the C++ lispetorch has no such name).

``(torch_compile module [mode])`` compiles ``module`` — any module object (linear, embedding,
layer norm, positional encoding, transformer block, MLP, multi-head or flash attention, LoRA
layer, checkpoint wrapper...) or a LispE list of them — and returns it. The compilation is PyTorch's
``nn.Module.compile`` (in place): the object keeps its LispE type, printed form, parameters
(the same tensors, so optimizers made before or after both train it), state-dict names
(``torch_save_model`` / ``torch_load_model`` and checkpoints read and write the same files),
and training/evaluation mode; only its forward runs compiled. A module object whose forward is
lispe-py code around a container of layers (flash attention) gets that forward compiled.
``mode``: ``"default"`` (nil), ``"reduce-overhead"`` (CUDA graphs on CUDA: the fewest kernel
launches, for small models), ``"max-autotune"`` (tries kernel variants: slow to compile) or
``"max-autotune-no-cudagraphs"``.

The first forward of each input shape (and after ``torch_eval``/``torch_train``, a change of
autocast, or of grad mode) compiles, which takes seconds to a minute; later calls reuse the
compiled code. On the CPU, inductor generates C++ and needs a C compiler (``cc``/``g++``).
"""

from lispe_py.torch._helpers import lib
from lispe_py.errors import LispEError
from lispe_py.torch._lazy import torch
from lispe_py.values import to_string

__all__ = ["compile_module", "MODES"]

MODES = ("default", "reduce-overhead", "max-autotune", "max-autotune-no-cudagraphs")

# one compiled frame per module instance at most: a model of N identical blocks needs N
_MIN_CACHE = 256


def _raise_cache_limits():
    cfg = torch._dynamo.config
    for name in ("recompile_limit", "cache_size_limit"):
        if hasattr(cfg, name) and getattr(cfg, name) < _MIN_CACHE:
            setattr(cfg, name, _MIN_CACHE)
    if hasattr(cfg, "accumulated_recompile_limit") and cfg.accumulated_recompile_limit < 4 * _MIN_CACHE:
        cfg.accumulated_recompile_limit = 4 * _MIN_CACHE


def _compile_one(obj, mode):
    from lispe_py.torch.modules import module_of
    m = module_of(obj)
    if m is None:
        raise LispEError("Argument must be a PyTorch module (or a list of modules)")
    kw = {} if mode == "default" else {"mode": mode}
    if callable(getattr(m, "compile", None)):
        m.compile(**kw)
    else:                                           # torch < 2.2
        m.forward = torch.compile(m.forward, **kw)
    # lispe-py objects whose forward is Python around a container module (flash attention:
    # its module holds the projections and has no forward of its own)
    if (not isinstance(obj, torch.nn.Module) and type(m).forward is torch.nn.Module.forward
            and callable(getattr(type(obj), "forward", None))):
        obj.forward = torch.compile(type(obj).forward.__get__(obj), **kw)
    return obj


def compile_module(obj, mode="default"):
    """Compile a module object or a LispE list of them in place; returns ``obj``."""
    _raise_cache_limits()
    if torch.cuda.is_available():
        # SDPA's backend order is set at the first CUDA call; doing it now keeps it out of
        # the traced code (it would break the graph there)
        from lispe_py.torch import attention
        if not attention._CUDA_READY:
            attention._prefer_fast_cuda_backends()
    if isinstance(obj, list):
        for x in obj:
            compile_module(x, mode)
        return obj
    return _compile_one(obj, mode)


@lib("torch_compile")
def torch_compile(module, mode=None):
    """(torch_compile module [mode]): (lispe-py) compile a module object (or a list of them) with
    torch.compile, in place, and return it: same type, parameters, state dict, saving and modes;
    mode "default", "reduce-overhead" (CUDA graphs), "max-autotune"."""
    m = "default" if mode is None else (mode if isinstance(mode, str) else to_string(mode))
    if m not in MODES:
        raise LispEError("Unknown compile mode: %s (%s)" % (m, ", ".join(MODES)))
    if isinstance(module, str) or module is None:
        raise LispEError("Argument must be a PyTorch module (or a list of modules)")
    try:
        return compile_module(module, m)
    except LispEError:
        raise
    except (RuntimeError, TypeError, ValueError, AttributeError) as e:
        from lispe_py.torch._helpers import torch_message
        raise LispEError("Error compiling module: " + torch_message(e), prefix=False) from None
