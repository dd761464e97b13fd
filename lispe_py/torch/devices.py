"""Devices: availability, best device, moving tensors and modules between devices.

Device names are lispetorch's: ``"cpu"``, ``"cuda"``, ``"cuda:N"`` (only when CUDA is
available) and ``"mps"``. lispe-py policy for ``"mps"`` (and ``torch_to_mps``) on a
machine without MPS: use the best available device instead and say so once on stderr,
so that the documentation's programs, which all hard-code ``"mps"``, run on Linux.

:func:`move_to` is the one place that moves things: a tensor gives a moved copy (or itself
when already there); a module object moves its parameters and buffers in place and is
returned. Module classes of other families take part by being ``torch.nn.Module``s, by
holding one in a ``module`` attribute, or by defining ``to_device(device)``.
"""

import sys

from ._lazy import torch
from ._helpers import lib, read_int, torch_errors
from .. import values
from ..errors import LispEError
from ..values import TRUE, lbool

__all__ = ["best_device", "lookup_device", "move_to", "device_of", "warn_once"]

_warned = set()


def warn_once(key, message):
    """Print ``message`` on stderr the first time ``key`` is seen."""
    if key in _warned:
        return
    _warned.add(key)
    print(message, file=sys.stderr, flush=True)


def cuda_available():
    return bool(torch.cuda.is_available())


def cuda_built():
    try:
        return bool(torch.backends.cuda.is_built())
    except Exception:
        return torch.version.cuda is not None


def mps_available():
    mps = getattr(torch.backends, "mps", None)
    return bool(mps is not None and mps.is_available())


def best_device():
    """``"cuda"`` > ``"mps"`` > ``"cpu"``."""
    if cuda_available():
        return "cuda"
    if mps_available():
        return "mps"
    return "cpu"


def _mps_fallback():
    dev = best_device()
    warn_once("mps", f"lispe-py: MPS is not available on this machine; using {dev} instead")
    return dev


def lookup_device(name):
    """A lispetorch device name -> ``torch.device``; unknown names raise ``unknown device:<name>``."""
    if name is None:
        return torch.device("cpu")
    if isinstance(name, torch.device):
        return name
    s = name if isinstance(name, str) else values.to_string(name)
    if s == "cpu":
        return torch.device("cpu")
    if s == "mps" or s.startswith("mps:"):
        if mps_available():
            return torch.device("mps")
        return torch.device(_mps_fallback())
    if cuda_available():
        if s == "cuda":
            return torch.device("cuda")
        if s.startswith("cuda:"):
            try:
                i = int(s[5:])
            except ValueError:
                i = -1
            if 0 <= i < torch.cuda.device_count():
                return torch.device("cuda", i)
    raise LispEError("unknown device:" + s)


def device_of(obj):
    """The device a tensor or module lives on (cpu when it has no tensors)."""
    if isinstance(obj, torch.Tensor):
        return obj.device
    mod = _module_of(obj)
    if mod is not None:
        for p in mod.parameters():
            return p.device
        for b in mod.buffers():
            return b.device
    dev = getattr(obj, "device", None)
    if isinstance(dev, torch.device):
        return dev
    return torch.device("cpu")


def _module_of(obj):
    if isinstance(obj, torch.nn.Module):
        return obj
    m = getattr(obj, "module", None)
    if isinstance(m, torch.nn.Module):
        return m
    return None


def is_movable(obj):
    return (isinstance(obj, torch.Tensor) or _module_of(obj) is not None
            or callable(getattr(obj, "to_device", None)))


def move_to(obj, device):
    """Move a tensor (returns the moved tensor) or a module (in place; returns obj)."""
    if isinstance(obj, torch.Tensor):
        return obj.to(device)
    to_device = getattr(obj, "to_device", None)
    if callable(to_device):
        to_device(device)
        return obj
    mod = _module_of(obj)
    if mod is not None:
        mod.to(device)
        return obj
    raise LispEError("Argument must be a tensor")


def _need_movable(obj):
    if not is_movable(obj):
        raise LispEError("Argument must be a tensor")


# --------------------------------------------------------------------------- builtins

@lib("torch_cuda_is_available", "torch_cuda_available")
def torch_cuda_is_available():
    """(torch_cuda_is_available): true when a CUDA device can be used."""
    return lbool(cuda_available())


@lib("torch_cuda_device_count")
def torch_cuda_device_count():
    """(torch_cuda_device_count): number of CUDA devices (0 without CUDA)."""
    return int(torch.cuda.device_count()) if cuda_available() else 0


@lib("torch_mps_is_available", "torch_mps_available")
def torch_mps_is_available():
    """(torch_mps_is_available): true when Apple's MPS device can be used."""
    return lbool(mps_available())


@lib("torch_get_best_device")
def torch_get_best_device():
    """(torch_get_best_device): "cuda", "mps" or "cpu", the first available in that order."""
    return best_device()


def _check_cuda():
    if not cuda_built():
        raise LispEError("CUDA support not compiled")
    if not cuda_available():
        raise LispEError("CUDA not available")


@lib("torch_set_device")
def torch_set_device(device):
    """(torch_set_device id): make CUDA device id the current one; true."""
    _check_cuda()
    i = read_int(device)
    if i < 0 or i >= torch.cuda.device_count():
        raise LispEError("Invalid device ID")
    torch.cuda.set_device(i)
    return TRUE


@lib("torch_to_cuda")
def torch_to_cuda(tensor, device=None):
    """(torch_to_cuda x [device]): x (tensor or module) on CUDA (device: an id or a device name)."""
    _need_movable(tensor)
    _check_cuda()
    if device is None:
        dev = torch.device("cuda")
    elif isinstance(device, int) and not isinstance(device, bool):
        if device < 0 or device >= torch.cuda.device_count():
            raise LispEError("Invalid device ID")
        dev = torch.device("cuda", device)
    else:
        dev = lookup_device(device)
    with torch_errors("Error moving tensor to CUDA: "):
        return move_to(tensor, dev)


@lib("torch_to_device")
def torch_to_device(tensor, device):
    """(torch_to_device x device): x (tensor or module) on device "cpu", "cuda", "cuda:N" or "mps"."""
    _need_movable(tensor)
    dev = lookup_device(device)
    with torch_errors("Error moving tensor to device: "):
        return move_to(tensor, dev)


@lib("torch_to_cpu")
def torch_to_cpu(tensor):
    """(torch_to_cpu x): x (tensor or module) on the CPU."""
    _need_movable(tensor)
    with torch_errors("Error moving tensor to CPU: "):
        return move_to(tensor, torch.device("cpu"))


@lib("torch_to_mps")
def torch_to_mps(tensor):
    """(torch_to_mps x): x on Apple's MPS device; without MPS, on the best available device (said once on stderr)."""
    _need_movable(tensor)
    dev = torch.device("mps") if mps_available() else torch.device(_mps_fallback())
    with torch_errors("Error moving tensor to MPS: "):
        return move_to(tensor, dev)


@lib("torch_on_mps")
def torch_on_mps(tensor):
    """(torch_on_mps tensor): true/nil on a machine with MPS; nil elsewhere."""
    if not mps_available():
        return None
    if not isinstance(tensor, torch.Tensor):
        return None
    return lbool(tensor.is_mps)


@lib("torch_mps_synchronize")
def torch_mps_synchronize(safemode=None):
    """(torch_mps_synchronize [safemode]): wait for MPS work to finish; true, or nil without MPS."""
    if not mps_available():
        return None
    torch.mps.synchronize()
    return TRUE


@lib("torch_cuda_memory_allocated")
def torch_cuda_memory_allocated():
    """(torch_cuda_memory_allocated): bytes in use on the current CUDA device (total - free); 0 without CUDA."""
    if not cuda_available():
        return 0
    free, total = torch.cuda.mem_get_info()
    return int(total - free)


@lib("torch_cuda_memory_total")
def torch_cuda_memory_total():
    """(torch_cuda_memory_total): total bytes of the current CUDA device; 0 without CUDA."""
    if not cuda_available():
        return 0
    return int(torch.cuda.mem_get_info()[1])


@lib("torch_cuda_empty_cache")
def torch_cuda_empty_cache():
    """(torch_cuda_empty_cache): release PyTorch's cached CUDA memory; true."""
    if not cuda_built():
        raise LispEError("CUDA support not compiled")
    if cuda_available():
        torch.cuda.empty_cache()
    return TRUE
