"""Several processes: torch.distributed from LispE (process groups, DDP, FSDP2, DCP).

Everything here is PyTorch's own distributed engine; lispe-py adds no process manager and no
collective of its own. ``lispe-py --nproc N prog.lsp`` (:mod:`lispe_py.launch`) starts the
processes through ``torch.distributed.run``, which sets ``RANK``, ``LOCAL_RANK``,
``WORLD_SIZE``, ``MASTER_ADDR`` and ``MASTER_PORT``; ``torchrun -m lispe_py prog.lsp`` does
the same.

* ``(torch_distributed_init [backend] [timeout_s])``: ``init_process_group`` from that
  environment; backend ``"nccl"`` when CUDA is available (each process on the GPU of its
  local rank), ``"gloo"`` otherwise. Without a launcher it makes a world of one (an in-memory
  store), so the same program runs alone. Collectives wait ``timeout_s`` seconds (default
  600, or ``LISPE_PY_DIST_TIMEOUT``) before failing with a clear message. Returns the world
  size; a second call does nothing. ``torch_ddp``, ``torch_fsdp`` and the collectives call it
  when the program did not.
* ``torch_distributed_rank``, ``torch_distributed_local_rank``, ``torch_distributed_world_size``
  (from the environment until the group exists: 0, 0, 1 alone), ``torch_distributed_device``
  (``"cuda:LOCAL_RANK"`` under NCCL, ``"cpu"`` otherwise), ``torch_distributed_barrier``.
* ``(torch_distributed_all_reduce x ["sum"|"mean"|"max"|"min"])`` and
  ``(torch_distributed_broadcast x src)``: x a tensor or a number; the result is a new value
  (x is left as it was). Broadcast also sends any other LispE value (pickled) from ``src``.
* ``(torch_distributed_shard data)``: this rank's contiguous part of a list or of a tensor's
  first dimension (``tensor_split`` sizes: the first ``n mod world`` parts have one more).
* ``(torch_ddp m [options])``: ``DistributedDataParallel`` (options: a dictionary with
  ``"find_unused_parameters"``). ``(torch_fsdp m [options])``: FSDP2 ``fully_shard``, every
  transformer block first, then the root (options ``"reshard_after_forward"``, and
  ``"param_dtype"``/``"reduce_dtype"`` for a ``MixedPrecisionPolicy``). ``m`` is a module
  object or a LispE list of them (each wrapped on its own: a LispE forward function that calls
  the layers one by one works); modules without trainable parameters are returned as they are.
  Create the optimizer after ``torch_fsdp`` (its parameters become sharded DTensors).

  The result is a module object of the same type (it prints the same and every builtin that
  takes the original takes it): its forward goes through the wrapper, ``torch_parameters``,
  optimizers, ``torch_train``/``torch_eval`` and persistence see the wrapped module.
  ``torch_save_model`` / ``torch_save_checkpoint`` of a wrapped model write the unwrapped
  weights (loadable without any process group) and write only on rank 0; under FSDP every rank
  must call them (they gather the full weights). ``torch_load_model`` loads a full file into
  every rank's wrapped model (FSDP: each rank keeps its shard).
* ``(torch_distributed_save_checkpoint m opt path [step])`` /
  ``(torch_distributed_load_checkpoint m opt path)``: sharded checkpoints through
  ``torch.distributed.checkpoint`` (a folder; every rank writes its shards; opt may be nil);
  load returns the step.

Errors: under a launcher an uncaught error is printed once, by the first rank that fails,
prefixed ``[rank N]`` (see :func:`error_text`); the launcher then stops the other ranks and
exits with status 1.
"""

import atexit
import contextlib
import copy
import datetime
import functools
import os
import sys
import warnings

from lispe_py.torch._helpers import lib
from lispe_py.errors import LispEError
from lispe_py.torch._lazy import torch
from lispe_py.torch.convert import read_float, read_int
from lispe_py.torch.modules import module_of
from lispe_py.values import TRUE, DICTS, List, dict_items, truthy

__all__ = ["unwrap", "is_wrapped", "plain_tensor", "plain_tree", "shard_like",
           "shard_optimizer", "writes_here", "rank", "world_size", "error_text", "init"]

DEFAULT_TIMEOUT = 600.0
_state = {"backend": None, "device": None, "timeout": None, "ours": False, "failed": False,
          "mesh": None}


# --------------------------------------------------------------------------- environment

def _env_int(name, default):
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


def _dist():
    import torch.distributed as dist
    return dist


def initialized():
    if "torch.distributed" not in sys.modules:
        return False
    dist = _dist()
    return dist.is_available() and dist.is_initialized()


def rank():
    return _dist().get_rank() if initialized() else _env_int("RANK", 0)


def world_size():
    return _dist().get_world_size() if initialized() else _env_int("WORLD_SIZE", 1)


def local_rank():
    return _env_int("LOCAL_RANK", 0)


def _timeout_s(timeout):
    if timeout is not None:
        return read_float(timeout)
    try:
        return float(os.environ.get("LISPE_PY_DIST_TIMEOUT", DEFAULT_TIMEOUT))
    except ValueError:
        return DEFAULT_TIMEOUT


def _default_backend():
    return "nccl" if torch.cuda.is_available() else "gloo"


def init(backend=None, timeout=None):
    """``init_process_group`` from the launcher's environment, or a world of one."""
    dist = _dist()
    if dist.is_initialized():
        if _state["backend"] is None:        # made by the host program
            _state["backend"] = dist.get_backend()
            _state["device"] = _device_for(_state["backend"])
        return dist.get_world_size()
    backend = _default_backend() if backend is None else str(backend)
    seconds = _timeout_s(timeout)
    td = datetime.timedelta(seconds=seconds)
    device = _device_for(backend)
    if device.type == "cuda":
        torch.cuda.set_device(device)
    try:
        if "MASTER_ADDR" in os.environ and "WORLD_SIZE" in os.environ:
            kw = {"device_id": device} if device.type == "cuda" else {}
            dist.init_process_group(backend, timeout=td, **kw)
        else:                                   # no launcher: a world of one
            dist.init_process_group(backend, store=dist.HashStore(), rank=0, world_size=1,
                                    timeout=td)
    except (RuntimeError, ValueError) as e:
        raise LispEError("torch_distributed_init: %s" % _explain(e, seconds)) from None
    _state.update(backend=backend, device=device, timeout=seconds, ours=True)
    return dist.get_world_size()


def _device_for(backend):
    if "nccl" in str(backend) and torch.cuda.is_available():
        return torch.device("cuda", local_rank() % max(1, torch.cuda.device_count()))
    return torch.device("cpu")


def _ensure():
    if not initialized() or _state["backend"] is None:
        init()
    return _state["device"]


@atexit.register
def _shutdown():
    if _state["ours"] and not _state["failed"] and initialized():
        try:
            _dist().destroy_process_group()
        except Exception:
            pass


# --------------------------------------------------------------------------- errors

def _explain(e, seconds=None):
    text = str(e).strip()
    first = text.splitlines()[0] if text else type(e).__name__
    low = text.lower()
    if "timed out" in low or "timeout" in low:
        s = seconds if seconds is not None else _state["timeout"]
        return ("no answer from the other ranks within %g s (a rank hangs or has failed): %s"
                % (s if s is not None else DEFAULT_TIMEOUT, first))
    if "connection closed" in low or "connection reset" in low or "broken pipe" in low:
        return "another rank has stopped: " + first
    return first


@contextlib.contextmanager
def _collective(name):
    try:
        yield
    except LispEError:
        raise
    except (RuntimeError, ValueError, TypeError) as e:
        raise LispEError("%s: %s" % (name, _explain(e))) from None


def _store():
    dist = _dist()
    if dist.is_initialized():
        from torch.distributed import distributed_c10d
        return distributed_c10d._get_default_store()
    addr, port = os.environ.get("MASTER_ADDR"), os.environ.get("MASTER_PORT")
    if not addr or not port:
        return None
    return dist.TCPStore(addr, int(port), is_master=False,
                         timeout=datetime.timedelta(seconds=3))


def error_text(text):
    """What the CLI prints for an uncaught error on this rank: ``text`` alone in a world of
    one; ``[rank N] text`` for the first rank that fails; None (print nothing) when another
    rank has already reported its error (this one is most likely a consequence of it)."""
    ranks = world_size()
    if ranks <= 1 and "WORLD_SIZE" not in os.environ:
        return text
    _state["failed"] = True
    r = rank()
    low = text.lower()
    if ("timed out" in low or "timeout" in low) and "no answer from the other ranks" not in low:
        text += ("\n  (rank %d: no answer from the other ranks within %g s; one of them hangs "
                 "or has failed)" % (r, _state["timeout"] or _timeout_s(None)))
    if ranks > 1:
        try:
            store = _store()
            if store is not None:
                key = "lispe_py/failed/%s" % os.environ.get("TORCHELASTIC_RESTART_COUNT", "0")
                first = store.compare_set(key, "", str(r))
                if isinstance(first, bytes):
                    first = first.decode()
                if first != str(r):
                    return None
        except Exception:
            pass
    return "[rank %d] %s" % (r, text)


# --------------------------------------------------------------------------- wrappers

_CLS = {}


def _classes():
    if _CLS:
        return _CLS
    from torch.nn.parallel import DistributedDataParallel

    class Adapter(torch.nn.Module):
        """Holds the LispE object's module as ``inner``; its forward runs the module, or the
        LispE object's own method (``_lispe_fn``), so that a wrapper around it (DDP, FSDP)
        sees every forward a builtin does."""

        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, *args, _lispe_fn=None, **kw):
            out = _lispe_fn(*args, **kw) if _lispe_fn is not None else self.inner(*args, **kw)
            if (self.__dict__.get("lispe_clone_views") and isinstance(out, torch.Tensor)
                    and out._is_view()):
                out = out.clone()       # FSDP's pre-backward hook must not sit on a view
            return out

        def __getattr__(self, name):
            try:
                return super().__getattr__(name)
            except AttributeError:
                inner = self.__dict__["_modules"].get("inner")
                if inner is None or name.startswith("__"):
                    raise
                return getattr(inner, name)

        def lispe_unwrap(self):
            return self.__dict__["_modules"]["inner"]

        def lispe_run(self, fn, *args, **kw):
            return self(*args, _lispe_fn=fn, **kw)

        lispe_kind = "fsdp"

    class LispeDDP(DistributedDataParallel):
        """DistributedDataParallel whose attributes fall back to the wrapped module's."""

        def __getattr__(self, name):
            try:
                return super().__getattr__(name)
            except AttributeError:
                mods = self.__dict__.get("_modules", {})
                adapter = mods.get("module")
                if adapter is None or name.startswith("__"):
                    raise
                return getattr(adapter.lispe_unwrap(), name)

        def lispe_unwrap(self):
            return self.__dict__["_modules"]["module"].lispe_unwrap()

        def lispe_run(self, fn, *args, **kw):
            return self(*args, _lispe_fn=fn, **kw)

        lispe_kind = "ddp"

    _CLS.update(Adapter=Adapter, DDP=LispeDDP)
    return _CLS


_ROUTED = ("forward", "attend", "attention_weights")
_SUBCLASSES = {}


def _routed_class(cls):
    """A subclass of a LispE module class whose forward methods run through the wrapper."""
    sub = _SUBCLASSES.get(cls)
    if sub is not None:
        return sub
    ns = {"__doc__": cls.__doc__, "__module__": cls.__module__}

    def route(name, f):
        @functools.wraps(f)
        def method(self, *args, **kw):
            plain = self.__dict__["_lispe_plain"]
            return self.__dict__["_lispe_handle"].lispe_run(getattr(plain, name), *args, **kw)
        return method

    for name in _ROUTED:
        f = getattr(cls, name, None)
        if callable(f):
            ns[name] = route(name, f)
    if "__call__" in dir(cls) and callable(getattr(cls, "forward", None)):
        ns["__call__"] = lambda self, *a, **k: self.forward(*a, **k)
    sub = _SUBCLASSES[cls] = type(cls.__name__, (cls,), ns)
    return sub


def _wrapped_object(obj, handle):
    if isinstance(obj, torch.nn.Module):
        return handle
    new = copy.copy(obj)
    try:
        new.__class__ = _routed_class(type(obj))
    except TypeError:
        pass
    new.__dict__["_lispe_plain"] = obj
    new.__dict__["_lispe_handle"] = handle
    new.module = handle
    return new


def unwrap(m):
    """The plain ``torch.nn.Module`` behind a DDP/FSDP wrapper of lispe-py (or of PyTorch's
    own DistributedDataParallel); m itself otherwise. None stays None."""
    f = getattr(type(m), "lispe_unwrap", None)
    if f is not None:
        return f(m)
    if type(m).__name__ == "DistributedDataParallel":
        return m.module
    return m


def is_wrapped(obj):
    """True for a module object returned by torch_ddp / torch_fsdp (or such a wrapper)."""
    m = module_of(obj)
    return m is not None and getattr(type(m), "lispe_unwrap", None) is not None


def _is_dtensor(t):
    return type(t).__name__ == "DTensor"


def plain_tensor(t):
    """A full ordinary tensor for a sharded DTensor (collective: every rank must ask)."""
    if _is_dtensor(t):
        return t.full_tensor()
    return t


def plain_tree(obj):
    """``obj`` (nested dicts/lists, e.g. an optimizer state dict) with its DTensors gathered."""
    if isinstance(obj, dict):
        return {k: plain_tree(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(plain_tree(v) for v in obj)
    return plain_tensor(obj)


def shard_optimizer(optimizer):
    """After ``optimizer.load_state_dict`` of full tensors: the state of each sharded parameter
    (exp_avg, momentum... of the parameter's shape) becomes this rank's shard of it."""
    for group in optimizer.param_groups:
        for p in group["params"]:
            st = optimizer.state.get(p)
            if not st or not _is_dtensor(p):
                continue
            from torch.distributed.tensor import distribute_tensor
            for k, v in list(st.items()):
                if isinstance(v, torch.Tensor) and not _is_dtensor(v) \
                        and tuple(v.shape) == tuple(p.shape) and v.dim() > 0:
                    st[k] = distribute_tensor(v.to(p.device), p.device_mesh, p.placements,
                                              src_data_rank=None)


def shard_like(own, state):
    """``state`` (name -> full tensor) with every entry whose counterpart in ``own`` (a state
    dict) is a DTensor replaced by this rank's shard of it (no communication)."""
    if not any(_is_dtensor(v) for v in own.values()):
        return state
    from torch.distributed.tensor import distribute_tensor
    out = dict(state)
    for k, v in own.items():
        if _is_dtensor(v) and k in out and not _is_dtensor(out[k]):
            full = out[k].to(device=v.device, dtype=v.dtype)
            out[k] = distribute_tensor(full, v.device_mesh, v.placements, src_data_rank=None)
    return out


def writes_here(model):
    """Whether this process writes the file when saving ``model``: always, unless the model
    (or one of a list) is wrapped by torch_ddp/torch_fsdp and this is not rank 0."""
    items = model if isinstance(model, list) else [model]
    if any(is_wrapped(x) for x in items):
        return rank() == 0
    return True


def _trainable(m):
    return any(p.requires_grad for p in m.parameters())


def _each(obj, fn, name):
    if isinstance(obj, list) and not isinstance(obj, str):
        return List([_each(x, fn, name) for x in obj])
    m = module_of(obj)
    if m is None:
        raise LispEError("%s: argument must be a PyTorch module (or a list of them)" % name)
    if is_wrapped(obj):
        raise LispEError("%s: this module is already wrapped" % name)
    if not _trainable(m):
        return obj
    return fn(obj, m)


def _options(options, allowed):
    opts = {}
    if options is None:
        return opts
    if not isinstance(options, DICTS):
        raise LispEError("options must be a dictionary")
    for k, v in dict_items(options):
        key = str(k)
        if key not in allowed:
            raise LispEError("Unknown option: %s (expected one of %s)" % (key, ", ".join(allowed)))
        opts[key] = v
    return opts


# --------------------------------------------------------------------------- builtins: group

@lib("torch_distributed_init")
def torch_distributed_init(backend=None, timeout=None):
    """(torch_distributed_init [backend] [timeout_s]): join the process group of the launcher
    (NCCL on CUDA, gloo on CPU by default); alone, a world of one. Returns the world size."""
    return init(backend, timeout)


@lib("torch_distributed_rank")
def torch_distributed_rank():
    "(torch_distributed_rank): the rank of this process (0 alone)."
    return rank()


@lib("torch_distributed_local_rank")
def torch_distributed_local_rank():
    "(torch_distributed_local_rank): the rank of this process on its host (its GPU number)."
    return local_rank()


@lib("torch_distributed_world_size")
def torch_distributed_world_size():
    "(torch_distributed_world_size): the number of processes (1 alone)."
    return world_size()


@lib("torch_distributed_device")
def torch_distributed_device():
    "(torch_distributed_device): this process's device: \"cuda:N\" (N its local rank) under NCCL, \"cpu\" otherwise."
    if initialized() and _state["device"] is not None:
        d = _state["device"]
    else:
        d = _device_for(_default_backend())
    return "cuda:%d" % d.index if d.type == "cuda" else "cpu"


@lib("torch_distributed_barrier")
def torch_distributed_barrier():
    "(torch_distributed_barrier): wait until every rank gets here; true."
    device = _ensure()
    with _collective("torch_distributed_barrier"):
        if device.type == "cuda":
            _dist().barrier(device_ids=[device.index])
        else:
            _dist().barrier()
    return TRUE


_OPS = ("sum", "mean", "max", "min")


def _as_tensor(x, name):
    if isinstance(x, torch.Tensor):
        return x, False
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise LispEError("%s: first argument must be a tensor or a number" % name)
    return torch.tensor(x, dtype=torch.float64 if isinstance(x, float) else torch.int64), True


def _back(t, was_number, original):
    if was_number:
        v = t.item()
        return v
    return t.to(original.device)


@lib("torch_distributed_all_reduce")
def torch_distributed_all_reduce(x, op="sum"):
    """(torch_distributed_all_reduce x ["sum"|"mean"|"max"|"min"]): x (a tensor or a number)
    reduced over every rank; a new value (x unchanged)."""
    name = "torch_distributed_all_reduce"
    op = str(op)
    if op not in _OPS:
        raise LispEError("%s: unknown operation %s (expected sum, mean, max or min)" % (name, op))
    device = _ensure()
    t, number = _as_tensor(x, name)
    dist = _dist()
    work = t.detach().to(device).clone()
    if op == "mean" and not work.dtype.is_floating_point:
        work = work.to(torch.float64 if number else torch.float32)
    red = {"sum": dist.ReduceOp.SUM, "mean": dist.ReduceOp.SUM, "max": dist.ReduceOp.MAX,
           "min": dist.ReduceOp.MIN}[op]
    with _collective(name):
        dist.all_reduce(work, op=red)
    if op == "mean":
        work = work / dist.get_world_size()
    return _back(work, number, t)


@lib("torch_distributed_broadcast")
def torch_distributed_broadcast(x, src=0):
    """(torch_distributed_broadcast x src): rank src's x on every rank (a tensor or a number;
    any other LispE value is pickled); a new value, x unchanged."""
    name = "torch_distributed_broadcast"
    device = _ensure()
    dist = _dist()
    s = read_int(src)
    if not 0 <= s < dist.get_world_size():
        raise LispEError("%s: source rank %d is not in 0..%d"
                         % (name, s, dist.get_world_size() - 1))
    if isinstance(x, torch.Tensor) or (isinstance(x, (int, float)) and not isinstance(x, bool)):
        t, number = _as_tensor(x, name)
        work = t.detach().to(device).clone()
        with _collective(name):
            dist.broadcast(work, src=s)
        return _back(work, number, t)
    box = [x]
    with _collective(name):
        dist.broadcast_object_list(box, src=s, device=device if device.type == "cuda" else None)
    return box[0]


def _bounds(n, parts, i):
    size, extra = divmod(n, parts)
    start = i * size + min(i, extra)
    return start, start + size + (1 if i < extra else 0)


@lib("torch_distributed_shard")
def torch_distributed_shard(data):
    """(torch_distributed_shard data): this rank's contiguous part of a list or of a tensor's
    first dimension (the first n mod world parts have one element more)."""
    r, w = rank(), world_size()
    if isinstance(data, torch.Tensor):
        if data.dim() == 0:
            raise LispEError("torch_distributed_shard: a 0-dim tensor cannot be split")
        a, b = _bounds(data.shape[0], w, r)
        return data[a:b]
    if isinstance(data, list) and not isinstance(data, str):
        a, b = _bounds(len(data), w, r)
        try:
            return type(data)(data[a:b])
        except TypeError:
            return List(data[a:b])
    raise LispEError("torch_distributed_shard: argument must be a list or a tensor")


# --------------------------------------------------------------------------- builtins: DDP, FSDP

@lib("torch_ddp")
def torch_ddp(model, options=None):
    """(torch_ddp m [options]): DistributedDataParallel over a module object (or each of a list);
    on CUDA the module moves to this rank's GPU first. options: {"find_unused_parameters": true}."""
    opts = _options(options, ("find_unused_parameters",))
    device = _ensure()
    cls = _classes()

    def wrap(obj, m):
        with _collective("torch_ddp"):
            if device.type == "cuda":
                m.to(device)
            kw = {"device_ids": [device.index]} if device.type == "cuda" else {}
            handle = cls["DDP"](cls["Adapter"](m), find_unused_parameters=truthy(
                opts.get("find_unused_parameters")), **kw)
        return _wrapped_object(obj, handle)

    return _each(model, wrap, "torch_ddp")


_BLOCK_SUFFIXES = ("DecoderLayer", "EncoderLayer", "Block", "BlockModule")


def _is_block(m):
    if isinstance(m, (torch.nn.TransformerEncoderLayer, torch.nn.TransformerDecoderLayer)):
        return True
    return type(m).__name__.endswith(_BLOCK_SUFFIXES)


def _blocks(m):
    """The outermost transformer blocks inside m (m itself excluded)."""
    out = []
    for child in m.children():
        if _is_block(child):
            out.append(child)
        else:
            out.extend(_blocks(child))
    return out


def _dtype(v):
    if v is None:
        return None
    name = str(v)
    dt = getattr(torch, name, None)
    if not isinstance(dt, torch.dtype):
        raise LispEError("Unknown dtype: " + name)
    return dt


def _mesh():
    if _state["mesh"] is None:
        from torch.distributed.device_mesh import init_device_mesh
        device = _state["device"]
        _state["mesh"] = init_device_mesh(device.type, (_dist().get_world_size(),))
    return _state["mesh"]


@lib("torch_fsdp")
def torch_fsdp(model, options=None):
    """(torch_fsdp m [options]): FSDP2 fully_shard of a module object (or each of a list): every
    transformer block, then the root. Create the optimizer afterwards. options:
    {"reshard_after_forward": true "param_dtype": "bfloat16" "reduce_dtype": "float32"}."""
    opts = _options(options, ("reshard_after_forward", "param_dtype", "reduce_dtype"))
    device = _ensure()
    from torch.distributed.fsdp import MixedPrecisionPolicy, fully_shard
    kw = {"mesh": _mesh()}
    if "reshard_after_forward" in opts:
        kw["reshard_after_forward"] = truthy(opts["reshard_after_forward"])
    if "param_dtype" in opts or "reduce_dtype" in opts:
        kw["mp_policy"] = MixedPrecisionPolicy(param_dtype=_dtype(opts.get("param_dtype")),
                                               reduce_dtype=_dtype(opts.get("reduce_dtype")))
    cls = _classes()

    def wrap(obj, m):
        with _collective("torch_fsdp"):
            if device.type == "cuda":
                m.to(device)
            for block in _blocks(m):
                fully_shard(block, **kw)
            adapter = cls["Adapter"](m)
            adapter.lispe_clone_views = True
            handle = fully_shard(adapter, **kw)
        return _wrapped_object(obj, handle)

    return _each(model, wrap, "torch_fsdp")


# --------------------------------------------------------------------------- builtins: DCP

def _container(model, name):
    items = model if isinstance(model, list) and not isinstance(model, str) else [model]
    mods = []
    for x in items:
        m = module_of(x)
        if m is None:
            raise LispEError("%s: first argument must be a model (or a list of modules)" % name)
        mods.append(m)
    return torch.nn.ModuleList(mods)


def _optimizers(optimizer, name):
    if optimizer is None:
        return []
    from lispe_py.torch.training import Optimizer
    if not isinstance(optimizer, Optimizer):
        raise LispEError("%s: second argument must be an optimizer or nil" % name)
    return [optimizer.optimizer]


@lib("torch_distributed_save_checkpoint")
def torch_distributed_save_checkpoint(model, optimizer, path, step=0):
    """(torch_distributed_save_checkpoint m opt path [step]): a sharded checkpoint folder
    (torch.distributed.checkpoint): every rank writes its part; opt may be nil."""
    name = "torch_distributed_save_checkpoint"
    from lispe_py.sandbox import guard_path
    import torch.distributed.checkpoint as dcp
    from torch.distributed.checkpoint.state_dict import get_state_dict
    p = str(path)
    guard_path(p)
    container, opts = _container(model, name), _optimizers(optimizer, name)
    with _collective(name):
        msd, osd = get_state_dict(container, opts)
        state = {"model": msd, "step": torch.tensor(read_int(step))}
        if opts:
            state["optimizer"] = osd
        with warnings.catch_warnings():      # overwriting a folder, as files are overwritten
            warnings.filterwarnings("ignore", message="Detected an existing checkpoint")
            dcp.save(state, storage_writer=dcp.FileSystemWriter(p, overwrite=True))
    return "Checkpoint saved successfully"


@lib("torch_distributed_load_checkpoint")
def torch_distributed_load_checkpoint(model, optimizer, path):
    """(torch_distributed_load_checkpoint m opt path): restore a folder written by
    torch_distributed_save_checkpoint into m (and opt, unless nil); returns the step."""
    name = "torch_distributed_load_checkpoint"
    from lispe_py.sandbox import guard_path
    import torch.distributed.checkpoint as dcp
    from torch.distributed.checkpoint.state_dict import get_state_dict, set_state_dict
    p = str(path)
    guard_path(p)
    if not os.path.isdir(p):
        raise LispEError("%s: %s is not a checkpoint folder" % (name, p))
    container, opts = _container(model, name), _optimizers(optimizer, name)
    with _collective(name):
        msd, osd = get_state_dict(container, opts)
        state = {"model": msd, "step": torch.tensor(0)}
        if opts:
            state["optimizer"] = osd
        dcp.load(state, checkpoint_id=p)
        set_state_dict(container, opts, model_state_dict=state["model"],
                       optim_state_dict=state.get("optimizer", {}))
    return int(state["step"])
