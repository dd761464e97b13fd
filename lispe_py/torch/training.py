"""Training: optimizers, losses, autograd, learning-rate schedulers (spec §1.9), plus
``torch_train``/``torch_eval`` (lispe-py).

Optimizers (all print ``PyTorch Optimizer``, type ``torch_optimizer_``):

* ``torch_optimizer params lr type`` (doc name ``torch_optimizer_create``): ``"adam"``
  (``torch.optim.Adam``), ``"sgd"`` (SGD, no momentum) and, in lispe-py, ``"adamw"``; any other
  type → ``Unsupported optimizer type``. ``params`` is, in lispe-py, any module object (MLP,
  linear, embedding, attention, flash attention, layer norm, transformer block, LoRA layer...),
  a LispE list of module objects and/or tensors (nested lists too), or a dictionary of them —
  the C++ only takes a ``torch_model``. Floating-point leaf tensors given directly are switched
  to ``requires_grad`` (they are meant to be trained).
* ``torch_adam_optimizer lr`` / ``torch_adamw_optimizer lr`` / ``torch_sgd_optimizer lr``: an
  optimizer with no parameters, as in the C++ (stepping it does nothing); lispe-py takes an
  optional second argument, the parameters. ``torch_optimizer_add_params params lr wd``: a new
  AdamW over ``params`` (weight decay ``wd``); the manual's ``(torch_optimizer_add_params
  optimizer params)`` adds ``params`` to ``optimizer`` and returns it.
* ``torch_optimizer_step opt`` / ``torch_optimizer_zero_grad opt`` → true (zero_grad sets the
  gradients to None). ``torch_clip_grad_norm opt max_norm`` → the total norm before clipping
  (a number: reading it waits for the GPU, so a loop that does not need it every step goes
  faster without).
* Adam and AdamW use PyTorch's fused implementation (one kernel for all parameters,
  ``fused=True``) when every parameter is a floating-point CUDA tensor; decided at the first
  step, so a model moved to the GPU after its optimizer was made is covered too. Elsewhere
  PyTorch's default (``foreach``) implementation runs.

Losses (0-dim tensors; ``(at loss 0)`` or ``tensor_item`` reads them): ``torch_mse_loss p t`` (mean),
``torch_crossentropy_loss p t`` / ``torch_cross_entropy`` / ``torch_loss_crossentropy``
(class indices or probabilities).

Autograd: ``torch_backward loss [retain_graph] [create_graph]`` → true (under
``torch_autocast`` the backward pass runs with autocast off, as PyTorch recommends);
``torch_set_grad_enabled flag`` → true (global switch); lispe-py adds
``torch_requires_grad t [flag]`` (returns t) and ``torch_grad t`` (its gradient, or nil).

Modes (lispe-py; the C++ has no such builtins): modules start in training mode;
``torch_eval m`` switches a module object (or a list of them) to evaluation mode (dropout off),
``torch_train m [flag]`` back to training mode; both return true. Aliases
``torch_model_eval``/``torch_model_train``. ``torch_parameters m`` (``torch_model_parameters``):
the list of parameter tensors.

Schedulers: ``torch_lr_scheduler opt type config`` (``"linear_warmup_cosine"``, ``"cosine"``,
``"exponential"``, ``"step"``, ``"linear"``; config dictionary keys ``initial_lr`` 0.001,
``min_lr`` 1e-6, ``total_steps`` 1000, ``warmup_steps`` 0, ``gamma`` 0.1, ``step_size`` 100);
creating one does not change the learning rate. ``torch_scheduler_step s`` (step += 1, then
writes lr = f(step) into every parameter group), ``torch_scheduler_get_lr s``,
``torch_scheduler_set_lr s lr``. Prints ``LR Scheduler (Cosine, step=0, lr=0.01)``.
"""

import math
import warnings

from lispe_py.errors import LispEError
from lispe_py.torch._lazy import torch, F
from lispe_py.torch._helpers import lib, read_int, read_float, FAILURES, torch_error
from lispe_py.torch.modules import (collect_parameters, cpp_errors, module_of, set_training)
from lispe_py.torch.precision import autocast_paused
from lispe_py.torch.printing import cpp_number
from lispe_py.values import TRUE, List, DICTS, dict_items, truthy

__all__ = ["Optimizer", "LRScheduler", "make_optimizer"]


# --------------------------------------------------------------------------- optimizers

class Optimizer:
    """A ``torch.optim`` optimizer as a LispE value (``.optimizer``; ``.optimizer_type`` adam|adamw|sgd)."""

    lispe_type = "torch_optimizer_"

    def __init__(self, optimizer, kind):
        self.optimizer = optimizer
        self.optimizer_type = kind
        self.fuse_checked = kind not in ("adam", "adamw")

    def step(self):
        if not self.fuse_checked:
            self._fuse()
        self.optimizer.step()

    def _fuse(self):
        """Once, before the first step with parameters: PyTorch's fused Adam/AdamW when every
        parameter is a floating-point CUDA tensor (and no state exists yet)."""
        opt = self.optimizer
        params = self.params()
        if not params:
            return                              # parameters may still be added
        self.fuse_checked = True
        if opt.state or not all(p.is_cuda and p.dtype.is_floating_point for p in params):
            return
        for g in opt.param_groups:
            if g.get("differentiable") or g.get("capturable"):
                return
        for g in opt.param_groups:
            g["fused"] = True
            g["foreach"] = None
        opt._step_supports_amp_scaling = True

    def params(self):
        return [p for g in self.optimizer.param_groups for p in g["params"]]

    def state_dict(self):
        return self.optimizer.state_dict()

    def lispe_str(self):
        return "PyTorch Optimizer"

    def __repr__(self):
        return "<PyTorch Optimizer (%s)>" % self.optimizer_type


def _prepare(params):
    for p in params:
        if p.is_leaf and p.dtype.is_floating_point and not p.requires_grad:
            p.requires_grad_(True)
    return params


def make_optimizer(kind, params, lr, weight_decay=None):
    """``torch.optim`` optimizer of ``kind`` over ``params`` (possibly empty: one empty group)."""
    groups = [{"params": list(params)}]
    if kind == "adam":
        opt = torch.optim.Adam(groups, lr=lr)
    elif kind == "adamw":
        if weight_decay is None:
            opt = torch.optim.AdamW(groups, lr=lr)
        else:
            opt = torch.optim.AdamW(groups, lr=lr, weight_decay=weight_decay)
    elif kind == "sgd":
        opt = torch.optim.SGD(groups, lr=lr)
    else:
        raise LispEError("Unsupported optimizer type")
    return Optimizer(opt, kind)


def _params_of(obj, message="First argument must be a model"):
    if isinstance(obj, str) or obj is None:
        raise LispEError(message)
    params = collect_parameters(obj)
    if params is None:
        raise LispEError(message)
    _prepare(_direct_tensors(obj))
    return params


def _direct_tensors(obj):
    """The tensors given as such (not module parameters) in obj, a tensor or nested lists."""
    if isinstance(obj, torch.Tensor):
        return [obj]
    if isinstance(obj, list):
        return [t for x in obj for t in _direct_tensors(x)]
    if isinstance(obj, DICTS):
        return [t for _, x in dict_items(obj) for t in _direct_tensors(x)]
    return []


@lib("torch_optimizer", "torch_optimizer_create")
def torch_optimizer(model, learning_rate, type):
    """(torch_optimizer params lr type): "adam", "sgd" (no momentum) or "adamw" over a module
    object, a list of modules/tensors, or a dictionary of them; prints PyTorch Optimizer."""
    params = _params_of(model)
    kind = type if isinstance(type, str) else None
    if kind not in ("adam", "sgd", "adamw"):
        raise LispEError("Unsupported optimizer type")
    with cpp_errors("Error creating optimizer: "):
        return make_optimizer(kind, params, read_float(learning_rate))


def _param_free(kind, learning_rate, params):
    ps = [] if params is None else _params_of(params)
    with cpp_errors("Error creating optimizer: "):
        return make_optimizer(kind, ps, read_float(learning_rate))


@lib("torch_adam_optimizer", "torch_adam_optimizer_create")
def torch_adam_optimizer(learning_rate, params=None):
    "(torch_adam_optimizer lr [params]): Adam; without params (as in the C++) it has no parameters."
    return _param_free("adam", learning_rate, params)


@lib("torch_adamw_optimizer", "torch_adamw_optimizer_create")
def torch_adamw_optimizer(learning_rate, params=None):
    "(torch_adamw_optimizer lr [params]): AdamW (weight decay 0.01); without params it has none."
    return _param_free("adamw", learning_rate, params)


@lib("torch_sgd_optimizer", "torch_sgd_optimizer_create")
def torch_sgd_optimizer(learning_rate, params=None):
    "(torch_sgd_optimizer lr [params]): SGD without momentum; without params it has none."
    return _param_free("sgd", learning_rate, params)


@lib("torch_optimizer_add_params")
def torch_optimizer_add_params(params, learning_rate=None, weight_decay=None):
    """(torch_optimizer_add_params params lr wd): a new AdamW over the tensors of params.
    (torch_optimizer_add_params optimizer params): the manual's form, adds params to optimizer."""
    if isinstance(params, Optimizer):
        extra = _params_of(learning_rate, "params must be a list of tensors")
        opt = params.optimizer
        have = {id(p) for p in params.params()}
        extra = [p for p in extra if id(p) not in have]
        if extra:
            groups = opt.param_groups
            if len(groups) == 1 and not groups[0]["params"]:
                groups[0]["params"].extend(extra)
            else:
                opt.add_param_group({"params": extra})
        return params
    if not isinstance(params, list):
        raise LispEError("params must be a list of tensors")
    tensors = []
    for p in params:
        if isinstance(p, torch.Tensor):
            tensors.append(p)
        elif module_of(p) is not None:
            tensors.extend(module_of(p).parameters())
        else:
            raise LispEError("All elements in params must be tensors")
    _prepare(_direct_tensors(params))
    if learning_rate is None:
        raise LispEError("Wrong parameter description")
    with cpp_errors("Error creating optimizer: "):
        return make_optimizer("adamw", tensors, read_float(learning_rate),
                              read_float(weight_decay))


def _need_optimizer(opt, message="Argument must be an optimizer"):
    if not isinstance(opt, Optimizer):
        raise LispEError(message)
    return opt


@lib("torch_optimizer_step")
def torch_optimizer_step(optimizer):
    "(torch_optimizer_step opt): one update of the parameters from their gradients; true."
    if type(optimizer) is not Optimizer:
        _need_optimizer(optimizer)
    try:
        optimizer.step()
    except FAILURES as e:
        raise torch_error(e, "Error in optimizer step: ") from None
    return TRUE


@lib("torch_optimizer_zero_grad")
def torch_optimizer_zero_grad(optimizer):
    "(torch_optimizer_zero_grad opt): forget the gradients (set to None); true."
    if type(optimizer) is not Optimizer:
        _need_optimizer(optimizer)
    optimizer.optimizer.zero_grad()
    return TRUE


@lib("torch_clip_grad_norm")
def torch_clip_grad_norm(optimizer, max_norm):
    "(torch_clip_grad_norm opt max_norm): scale the gradients so their total norm is at most max_norm; the norm before (a number)."
    _need_optimizer(optimizer, "First argument must be an optimizer")
    params = [p for p in optimizer.params() if p.grad is not None]
    with cpp_errors("Error clipping gradients: "):
        if not params:
            return 0.0
        return float(torch.nn.utils.clip_grad_norm_(params, read_float(max_norm)))


# --------------------------------------------------------------------------- losses, autograd

def _two_tensors(a, b):
    if not isinstance(a, torch.Tensor) or not isinstance(b, torch.Tensor):
        raise LispEError("Both arguments must be tensors")


@lib("torch_mse_loss", "torch_loss_mse")
def torch_mse_loss(predictions, targets):
    "(torch_mse_loss predictions targets): mean squared error, a 0-dim tensor."
    _two_tensors(predictions, targets)
    with cpp_errors("Error calculating MSE loss: "):
        if predictions.shape != targets.shape:
            with warnings.catch_warnings():     # PyTorch warns about broadcasting; the C++ does not
                warnings.simplefilter("ignore")
                return F.mse_loss(predictions, targets)
        return F.mse_loss(predictions, targets)


@lib("torch_crossentropy_loss", "torch_cross_entropy", "torch_loss_crossentropy")
def torch_crossentropy_loss(predictions, targets):
    "(torch_crossentropy_loss logits targets): mean cross-entropy (targets: class indices or probabilities), a 0-dim tensor."
    _two_tensors(predictions, targets)
    try:
        return F.cross_entropy(predictions, targets)
    except FAILURES as e:
        raise torch_error(e, "Error calculating cross-entropy loss: ") from None


@lib("torch_backward")
def torch_backward(loss, retain_graph=None, create_graph=None):
    "(torch_backward loss [retain_graph] [create_graph]): accumulate the gradients of loss; true."
    if not isinstance(loss, torch.Tensor):
        raise LispEError("Argument must be a tensor (loss)")
    try:
        with autocast_paused():
            loss.backward(retain_graph=truthy(retain_graph) or None,
                          create_graph=truthy(create_graph))
    except FAILURES as e:
        raise torch_error(e, "Error in backward pass: ") from None
    return TRUE


@lib("torch_set_grad_enabled")
def torch_set_grad_enabled(enabled):
    "(torch_set_grad_enabled flag): turn gradient recording on or off (global); true."
    torch.set_grad_enabled(truthy(enabled))
    return TRUE


@lib("torch_requires_grad")
def torch_requires_grad(tensor, flag=TRUE):
    "(torch_requires_grad t [flag]): (lispe-py) record operations on leaf tensor t for autograd (flag nil: stop); returns t."
    if not isinstance(tensor, torch.Tensor):
        raise LispEError("Argument must be a tensor")
    with cpp_errors("Error setting requires_grad: "):
        tensor.requires_grad_(truthy(flag))
    return tensor


@lib("torch_grad")
def torch_grad(tensor):
    "(torch_grad t): (lispe-py) the gradient accumulated in t by torch_backward, or nil."
    if not isinstance(tensor, torch.Tensor):
        raise LispEError("Argument must be a tensor")
    return tensor.grad


# --------------------------------------------------------------------------- modes, parameters

@lib("torch_train", "torch_model_train")
def torch_train(model, flag=TRUE):
    "(torch_train m [flag]): (lispe-py) put a module object (or a list of them) in training mode (flag nil: evaluation); true."
    if not set_training(model, truthy(flag)):
        raise LispEError("Argument must be a PyTorch module")
    return TRUE


@lib("torch_eval", "torch_model_eval")
def torch_eval(model):
    "(torch_eval m): (lispe-py) put a module object (or a list of them) in evaluation mode (no dropout); true."
    if not set_training(model, False):
        raise LispEError("Argument must be a PyTorch module")
    return TRUE


@lib("torch_parameters", "torch_model_parameters")
def torch_parameters(model):
    "(torch_parameters m): (lispe-py) the list of parameter tensors of a module object or list of them."
    params = collect_parameters(model)
    if params is None or isinstance(model, torch.Tensor):
        raise LispEError("Argument must be a PyTorch module")
    return List(params)


# --------------------------------------------------------------------------- LR schedulers

_SCHEDULERS = {
    "linear_warmup_cosine": "LinearWarmupCosine",
    "cosine": "Cosine",
    "exponential": "Exponential",
    "step": "Step",
    "linear": "Linear",
}


def _div(a, b):
    if b == 0:
        if a == 0 or a != a:
            return math.nan
        return math.copysign(math.inf, a)
    return a / b


def _cos(x):
    try:
        return math.cos(x)
    except ValueError:
        return math.nan


class LRScheduler:
    lispe_type = "torch_lrs_scheduler_"

    def __init__(self, optimizer, kind, config):
        self.optimizer = optimizer
        self.scheduler_type = kind
        self.step_count = 0
        self.initial_lr = 0.001
        self.min_lr = 1e-6
        self.total_steps = 1000
        self.warmup_steps = 0
        self.gamma = 0.1
        self.step_size = 100
        if isinstance(config, DICTS):
            for k, v in dict_items(config):
                k = str(k)
                if k in ("initial_lr", "min_lr", "gamma"):
                    setattr(self, k, read_float(v))
                elif k in ("total_steps", "warmup_steps", "step_size"):
                    setattr(self, k, read_int(v))

    def compute(self, step):
        init, low = self.initial_lr, self.min_lr
        if self.scheduler_type == "linear_warmup_cosine":
            if step < self.warmup_steps:
                return init * _div(step, self.warmup_steps)
            progress = _div(step - self.warmup_steps, self.total_steps - self.warmup_steps)
            return low + (init - low) * 0.5 * (1 + _cos(math.pi * progress))
        if self.scheduler_type == "cosine":
            return low + (init - low) * 0.5 * (1 + _cos(math.pi * _div(step, self.total_steps)))
        if self.scheduler_type == "exponential":
            return init * self.gamma ** step
        if self.scheduler_type == "step":
            if self.step_size == 0:
                return math.nan
            return init * self.gamma ** (step // self.step_size)
        return low + (init - low) * _div(self.total_steps - step, self.total_steps)

    def set_lr(self, lr):
        for g in self.optimizer.optimizer.param_groups:
            g["lr"] = lr

    def get_lr(self):
        groups = self.optimizer.optimizer.param_groups
        if groups:
            return float(groups[0]["lr"])
        return float(self.initial_lr)

    def step(self):
        self.step_count += 1
        self.set_lr(self.compute(self.step_count))

    def lispe_str(self):
        return "LR Scheduler (%s, step=%d, lr=%s)" % (
            _SCHEDULERS[self.scheduler_type], self.step_count, cpp_number(self.get_lr()))

    def __repr__(self):
        return "<%s>" % self.lispe_str()


@lib("torch_lr_scheduler")
def torch_lr_scheduler(optimizer, scheduler_type, config=None):
    """(torch_lr_scheduler opt type config): "linear_warmup_cosine", "cosine", "exponential",
    "step" or "linear"; config keys initial_lr min_lr total_steps warmup_steps gamma step_size."""
    if not isinstance(optimizer, Optimizer):
        raise LispEError("First argument must be an optimizer", prefix=False)
    kind = scheduler_type if isinstance(scheduler_type, str) else str(scheduler_type)
    if kind not in _SCHEDULERS:
        raise LispEError("Unknown scheduler type: " + kind, prefix=False)
    return LRScheduler(optimizer, kind, config)


def _need_scheduler(s, message="Argument must be a learning rate scheduler"):
    if not isinstance(s, LRScheduler):
        raise LispEError(message, prefix=False)
    return s


@lib("torch_scheduler_step")
def torch_scheduler_step(scheduler):
    "(torch_scheduler_step s): advance one step and set the new learning rate; true."
    _need_scheduler(scheduler).step()
    return TRUE


@lib("torch_scheduler_get_lr")
def torch_scheduler_get_lr(scheduler):
    "(torch_scheduler_get_lr s): the current learning rate (a number)."
    return _need_scheduler(scheduler).get_lr()


@lib("torch_scheduler_set_lr")
def torch_scheduler_set_lr(scheduler, learning_rate):
    "(torch_scheduler_set_lr s lr): set the learning rate of every parameter group; true."
    _need_scheduler(scheduler, "First argument must be a learning rate scheduler")
    scheduler.set_lr(read_float(learning_rate))
    return TRUE
