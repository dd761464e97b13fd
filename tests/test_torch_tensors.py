"""Tensor builtins called as Python functions: creation, conversion, arithmetic, math,
reductions, shape, indexing, protocol hooks, devices and error messages.

Expected values and messages come from the real lispetorch (shared/tools/lispetorch-real).
"""

import sys
import subprocess

import pytest

torch = pytest.importorskip("torch")

import lispe_py.torch.tensors  # noqa: E402,F401  (registers the builtins)
import lispe_py.torch.tensor_math  # noqa: E402,F401
import lispe_py.torch.tensor_shape  # noqa: E402,F401
import lispe_py.torch.devices  # noqa: E402,F401
import lispe_py.torch.printing  # noqa: E402,F401
from lispe_py import protocols  # noqa: E402
from lispe_py.errors import LispEError  # noqa: E402
from lispe_py.torch._lazy import ensure  # noqa: E402
from lispe_py.values import (Floats, Integers, Numbers, Shorts, List, TRUE, Float32,  # noqa: E402
                             Short, to_string, type_name)

from conftest import call_builtin as call  # noqa: E402

ensure()


def show(v):
    return to_string(v)


def err(name, *args):
    with pytest.raises(LispEError) as e:
        call(name, *args)
    return e.value.text


# --------------------------------------------------------------------------- lazy import

def test_import_does_not_load_torch():
    code = ("import sys, lispe_py.torch.tensors, lispe_py.torch.tensor_math, "
            "lispe_py.torch.tensor_shape, lispe_py.torch.devices, lispe_py.torch.attention, "
            "lispe_py.torch.printing; print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --------------------------------------------------------------------------- creation

def test_tensor_dtypes_from_typed_lists():
    assert call("torch_tensor", Floats([1, 2])).dtype == torch.float32
    assert call("torch_tensor", Numbers([1, 2])).dtype == torch.float64
    assert call("torch_tensor", Integers([1, 2])).dtype == torch.int64
    assert call("torch_tensor", Shorts([1, 2])).dtype == torch.int16
    assert call("tensor_create", Floats([4, 5])).tolist() == [4, 5]


def test_tensor_conversion_errors_and_nested():
    assert err("torch_tensor", List([1, 2, 3])) == "Error: Unsupported type for tensor conversion"
    assert err("torch_tensor", 3) == "Error: Unsupported type for tensor conversion"
    t = call("torch_tensor", List([Floats([1, 2]), Floats([3, 4])]))
    assert t.shape == (2, 2) and t.dtype == torch.float32


def test_torch_tensor_keeps_list():
    v = Floats([1, 2, 3])
    call("torch_tensor", v)
    assert list(v) == [1, 2, 3]


def test_zeros_ones_full_shapes():
    assert show(call("torch_zeros", Integers([2, 3]))) == " 0  0  0\n 0  0  0\n[ CPUFloatType{2,3} ]"
    assert call("tensor_ones", List([2.7, 3])).shape == (2, 3)
    assert show(call("tensor_full", Integers([2]), 4)) == " 4\n 4\n[ CPUFloatType{2} ]"
    like = call("tensor_full_like", call("torch_tensor", Integers([1, 2])), 3)
    assert like.dtype == torch.int64 and like.tolist() == [3, 3]
    assert err("tensor_zeros", 3) == "Error: shape must be a list of integers"
    assert err("tensor_full_like", 3, 3) == "Error: First argument must be a tensor"


def test_random_creators():
    torch.manual_seed(0)
    r = call("torch_rand", Integers([1000]))
    assert r.dtype == torch.float32 and 0 <= r.min() and r.max() < 1
    assert 0.4 < r.mean() < 0.6
    assert call("tensor_randn", Integers([3, 4])).shape == (3, 4)
    ri = call("tensor_randint", 3, 7, Integers([50]))
    assert ri.dtype == torch.int64 and ri.min() >= 3 and ri.max() < 7


def test_triu_set_item_cat():
    m = call("torch_ones", Integers([3, 3]))
    assert call("torch_triu", m, 1).tolist() == [[0, 1, 1], [0, 0, 1], [0, 0, 0]]
    assert call("torch_triu", m, 1.5).tolist() == torch.triu(torch.ones(3, 3)).tolist()
    z = call("tensor_zeros", Integers([2, 3]))
    y = call("tensor_set_item", z, Integers([0, 1]), 5)
    assert y.tolist() == [[0, 5, 0], [0, 0, 0]] and z.sum() == 0
    assert call("tensor_set_item", y, Integers([-1, -1]), 2.5)[1, 2] == 2.5
    assert err("tensor_set_item", z, Integers([0, 0, 0, 0, 0]), 1) == \
        "Error: Maximum 4 dimensions supported for indexing"
    assert err("tensor_set_item", call("torch_tensor", Floats([1, 2, 3, 4])), Integers([9]), 1) == \
        "Error in torch_set_item: select(): index 9 out of range for tensor of size [4] at dimension 0"
    c = call("torch_cat", List([call("torch_ones", Integers([2, 2])), call("torch_zeros", Integers([1, 2]))]), 0)
    assert c.shape == (3, 2)
    assert err("tensor_cat", c, 0) == "Error: First argument must be a list of tensors"
    assert err("tensor_cat", List([c, 1]), 0) == "Error: All elements must be tensors"


def test_to_list_types():
    assert type_name(call("tensor_to_list", call("torch_tensor", Floats([1.5, 2])))) == "floats_"
    assert type_name(call("tensor_to_list", call("torch_tensor", Integers([1])))) == "integers_"
    assert type_name(call("tensor_to_list", call("torch_tensor", Numbers([1])))) == "numbers_"
    assert type_name(call("tensor_to_list", call("torch_tensor", Shorts([1])))) == "shorts_"
    m = call("tensor_to_list", call("tensor_ones", Integers([2, 2])))
    assert type_name(m) == "matrix_float_" and show(m) == "((1 1) (1 1))"
    t3 = call("torch_to_lispe", call("tensor_zeros", Integers([2, 1, 2])))
    assert type_name(t3) == "tensor_float_" and show(t3) == "(((0 0)) ((0 0)))"
    e = call("tensor_to_list", call("tensor_select", call("torch_tensor", Floats([1.5, 2])), 0, 0))
    assert isinstance(e, Float32) and e == 1.5
    assert err("tensor_to_list", call("torch_tensor", Floats([1])) > 0) == "Error: Unsupported tensor dtype"


# --------------------------------------------------------------------------- arithmetic and math

def test_binary_and_promotion():
    i = call("torch_tensor", Integers([7, 8, 9]))
    f = call("torch_tensor", Floats([0.5, 0.5, 0.5]))
    assert call("tensor_div", i, call("torch_tensor", Integers([2, 2, 2]))).dtype == torch.float32
    assert call("tensor_add", i, f).dtype == torch.float32
    assert call("tensor_mul_scalar", i, 0.5).dtype == torch.float32
    assert call("tensor_add_scalar", call("torch_tensor", Integers([1, 2])), 1).dtype == torch.float32
    assert err("tensor_add", i, 1) == "Error: Both arguments must be tensors"
    assert err("tensor_div_scalar", f, 0) == "Error: Division by zero"
    assert err("tensor_matmul", torch.ones(2, 3), torch.ones(2, 3)) == \
        "Error: mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)"
    assert err("tensor_pow", f, "a") == "Error: Exponent must be a scalar or tensor"
    assert call("tensor_linear", torch.eye(2), torch.tensor([[1., 2], [3, 4]])).tolist() == [[1, 3], [2, 4]]


def test_unary_and_messages():
    a = call("torch_tensor", Floats([-1, 0, 4]))
    assert call("torch_relu", a).tolist() == [0, 0, 4]
    assert call("tensor_sqrt", call("torch_tensor", Shorts([1, 4]))).dtype == torch.float32
    assert err("tensor_relu", Floats([1, 2])) == "Error: Argument must be a tensor"
    assert err("tensor_softmax", a, 5) == ("Error computing tensor softmax: Dimension out of range "
                                          "(expected to be in range of [-1, 0], but got 5)")
    assert show(call("tensor_gelu", a)) == "-0.1587\n 0.0000\n 3.9999\n[ CPUFloatType{3} ]"


def test_clamp_rms_cumsum_gather_masked_fill_einsum():
    t = call("torch_tensor", Floats([1, 2, 3, 4, 5, 6]))
    assert call("tensor_clamp", t, None, 3).tolist() == [1, 2, 3, 3, 3, 3]
    assert err("tensor_clamp", t, None, None) == "Error: At least one of min_val or max_val must be provided"
    r = call("tensor_rms_norm", torch.tensor([3., 4]), torch.ones(2))
    assert torch.allclose(r, torch.tensor([0.8165, 1.0887]), atol=1e-4)
    assert err("tensor_rms_norm", t, 1) == "Error: Input and weight must be tensors"
    assert call("tensor_cumsum", torch.tensor([1, 2, 3]), 0).tolist() == [1, 3, 6]
    m = torch.tensor([[1., 2, 3], [4, 5, 6]])
    assert call("tensor_gather", m, 1, torch.tensor([[2, 0], [1, 1]])).tolist() == [[3, 1], [5, 5]]
    assert err("tensor_gather", m, 1, 1) == "Error: Third argument must be a tensor"
    z = torch.tensor([1., 2, 3, 4])
    out = call("tensor_masked_fill_", z, torch.tensor([0, 1, 0, 1]), -1)
    assert out is z and z.tolist() == [1, -1, 3, -1]
    assert call("tensor_einsum", "ij->ji", List([m])).shape == (3, 2)
    assert err("tensor_einsum", "i->", List([])) == "Error: tensor list cannot be empty"
    assert err("tensor_einsum", "i->", z) == "Error: second argument must be a list of tensors"


def test_lispe_operators_hook():
    a = torch.tensor([1., 2, 3, 4])
    arith = protocols.find(protocols.ARITH, a)
    assert arith("+", a, 1).tolist() == [2, 3, 4, 5]
    assert arith("-", a, Floats([1, 1, 1, 1])).tolist() == [0, 1, 2, 3]
    assert arith("^^", a, 2).tolist() == [1, 4, 9, 16]
    assert arith("*", 2, a).tolist() == [2, 4, 6, 8]
    assert arith("+", torch.tensor([1, 2]), 1).dtype == torch.float32
    with pytest.raises(LispEError, match="division by zero"):
        arith("/", a, 0)
    with pytest.raises(LispEError, match="Both arguments must be tensors"):
        arith("+", a, "a")


# --------------------------------------------------------------------------- reductions

def test_reductions_return_float32():
    a = call("torch_tensor", Floats([1, 2, 3, 4]))
    vals = [call(n, a) for n in ("tensor_sum", "tensor_mean", "tensor_max", "tensor_min", "tensor_std")]
    assert all(isinstance(v, Float32) for v in vals)
    assert " ".join(show(v) for v in vals) == "10 2.5 4 1 1.29099"
    assert isinstance(call("tensor_sum", torch.tensor([1, 2, 3])), Float32)
    assert err("tensor_mean", torch.tensor([1, 2])).startswith("Error computing tensor mean: mean(): could not infer")


def test_argmax_mean_dim_item():
    m = torch.tensor([[1., 9, 3], [7, 5, 6]])
    assert call("tensor_argmax", m, 1).shape == (2, 1)
    assert call("tensor_argmax", m, 1, None).shape == (2,)
    assert call("tensor_argmax", m, None).dim() == 0
    assert call("tensor_mean_dim", m, 0).tolist() == [4, 7, 4.5]
    assert isinstance(call("tensor_item", torch.tensor([2.5])), Float32)
    assert type(call("tensor_item", torch.tensor([42]))) is int
    assert type(call("tensor_item", torch.tensor([0.125], dtype=torch.float64))) is float
    assert isinstance(call("tensor_item", torch.tensor([3], dtype=torch.int16)), Short)
    assert call("tensor_item", torch.tensor([True])) is TRUE
    assert err("tensor_item", torch.tensor([1., 2, 3])) == \
        "Error: tensor must contain exactly one element, but has 3 elements"


def test_sort_topk_multinomial():
    t = torch.tensor([3., 1, 4, 0, 5, 9, 2, 6])
    v, i = call("torch_sort", t, None, None)
    assert v.tolist() == sorted(t.tolist())
    v, i = call("torch_sort", t, TRUE)               # documented 2-argument form
    assert v.tolist() == sorted(t.tolist(), reverse=True)
    v, i = call("torch_topk", t, 2, 0, None)          # 'largest' is ignored, as in lispetorch
    assert v.tolist() == [9, 6] and i.tolist() == [5, 7]
    assert call("tensor_multinomial", torch.tensor([0., 0, 1]), 2, TRUE).tolist() == [2, 2]
    with pytest.raises(LispEError) as e:
        call("torch_topk", 1, 2, None, None)
    assert e.value.text == "First argument must be a torch tensor"


# --------------------------------------------------------------------------- shape

def test_shape_functions():
    m = call("torch_reshape", call("torch_tensor", Integers(range(6))), Integers([2, 3]))
    assert type_name(call("tensor_shape", m)) == "integers_"
    assert list(call("torch_size", m)) == [2, 3]
    assert list(call("tensor_shape", call("tensor_reshape", m, List([-1])))) == [6]
    assert err("tensor_reshape", torch.ones(4), Integers([3])) == \
        "Error reshaping tensor: shape '[3]' is invalid for input of size 4"
    assert call("tensor_contiguous", m) is m
    assert call("tensor_transpose", m, 0, 1).shape == (3, 2)
    assert err("tensor_transpose", m, 0, 1.5) == "Error: Dimensions must be integers"
    assert call("tensor_unsqueeze", m, -1).shape == (2, 3, 1)
    assert err("tensor_unsqueeze", m, 1.5) == "Error: dim must be an integer"
    s = torch.ones(1, 2, 1, 3)
    assert call("tensor_squeeze", s).shape == (2, 3)
    assert call("tensor_squeeze", s, None).shape == (2, 3)
    assert call("tensor_squeeze", s, 2).shape == (1, 2, 3)
    m = torch.arange(12).reshape(3, 4)
    assert call("torch_slice", m, 1, -2, 100).tolist() == [[2, 3], [6, 7], [10, 11]]
    assert call("torch_tensor_slice", m, 0, 2, 1).shape == (0, 4)
    assert err("tensor_slice", m, 0, None, 1) == "Error: Start index must be an integer"
    assert err("tensor_slice", m, 3, 0, 1) == ("Error slicing tensor: Dimension out of range "
                                               "(expected to be in range of [-2, 1], but got 3)")
    assert call("tensor_select", m, 1, -1).tolist() == [3, 7, 11]
    assert err("tensor_select", m, 0, 9) == ("Error selecting from tensor: select(): index 9 out of "
                                             "range for tensor of size [3, 4] at dimension 0")


# --------------------------------------------------------------------------- indexing hooks

def test_at_car_cdr_size_extract():
    t = torch.tensor([10, 20, 30, 40, 50])
    at = protocols.find(protocols.AT, t)
    assert [at(t, [i]) for i in (0, 2, -1, -2)] == [10, 30, 50, 40]
    assert type_name(at(torch.tensor([1.5, 2.7]), [1])) == "float_"
    assert type_name(at(torch.tensor([1.5, 2.7], dtype=torch.float64), [1])) == "number_"
    assert type_name(at(torch.tensor([7, 8], dtype=torch.int16), [0])) == "number_"
    assert at(torch.arange(6).reshape(2, 3), [4]) == 4
    with pytest.raises(LispEError, match="tensor index out of bounds"):
        at(t, [10])
    assert call("torch_tensor_at", t, 1) == 20
    car = protocols.find(protocols.CAR, t)
    cdr = protocols.find(protocols.CDR, t)
    assert car(t).dim() == 0 and cdr(t).tolist() == [20, 30, 40, 50]
    assert car(torch.tensor(5.)) is None and cdr(torch.tensor([5.])) is None
    assert protocols.find(protocols.SIZE, t)(torch.zeros(2, 3, 4)) == 24
    from lispe_py.torch.tensors import extract
    v = torch.tensor([1., 2, 3, 4, 5])
    assert extract(v, 1, 2).tolist() == [2, 3]          # 'end' is a length, as in lispetorch
    assert extract(v, -3, 3).tolist() == [3, 4, 5]
    with pytest.raises(LispEError, match="indices out of bounds or invalid range"):
        extract(v, 3, 1)
    with pytest.raises(LispEError, match=r"start \(2\) \+ length \(4\) exceeds"):
        extract(v, 2, 4)


# --------------------------------------------------------------------------- devices

def test_devices_cpu_machine():
    assert call("torch_get_best_device") in ("cpu", "cuda", "mps")
    assert (call("torch_cuda_is_available") is TRUE) == (call("torch_cuda_device_count") > 0)
    assert call("torch_cuda_available") == call("torch_cuda_is_available")
    t = torch.tensor([1., 2])
    assert call("torch_to_cpu", t).device.type == "cpu"
    assert call("torch_to_device", t, "cpu").device.type == "cpu"
    assert err("torch_to_device", t, "tpu") == "Error: unknown device:tpu"
    assert err("torch_to_cpu", 3) == "Error: Argument must be a tensor"
    if not torch.cuda.is_available():
        assert err("torch_to_device", t, "cuda") == "Error: unknown device:cuda"
        assert call("torch_cuda_memory_allocated") == 0


def test_mps_fallback_warns_once(capsys):
    if torch.backends.mps.is_available():
        pytest.skip("machine has MPS")
    t = torch.tensor([1., 2])
    a = call("torch_to_device", t, "mps")
    b = call("torch_to_mps", t)
    assert a.device.type == b.device.type == call("torch_get_best_device")
    assert call("torch_on_mps", t) is None and call("torch_mps_synchronize") is None
    err_text = capsys.readouterr().err
    assert err_text.count("MPS is not available") <= 1


def test_move_module_moves_parameters():
    from lispe_py.torch.devices import move_to, device_of
    lin = torch.nn.Linear(2, 2)
    assert move_to(lin, torch.device("cpu")) is lin and device_of(lin).type == "cpu"


# --------------------------------------------------------------------------- quantization, Tucker

import lispe_py.torch.tucker  # noqa: E402,F401
import lispe_py.torch.quantization  # noqa: E402,F401


def test_quantization():
    t = torch.tensor([1.4, 2.6, -0.8, 4.2])
    assert call("torch_dequantize", call("torch_quantize_dynamic", t, "int8")).tolist() == [1, 3, -1, 4]
    assert call("torch_dequantize", call("torch_quantize_dynamic", t, "quint8")).tolist() == [1, 3, 0, 4]
    with pytest.raises(LispEError) as e:
        call("torch_quantize_dynamic", t, "int16")
    assert e.value.text == "Unsupported dtype for quantization: int16"
    assert show(call("torch_quantize_static", torch.tensor([1., 2]), 0.5, 3, "uint8")) == (
        " 1\n 2\n[ QuantizedCPUQUInt8Type{2}, qscheme: per_tensor_affine, scale: 0.5, zero_point: 3 ]")
    q = call("torch_quantize_int8", torch.tensor([0., 1, 2, 3]))
    assert show(q).endswith("scale: 0.0117647061124444, zero_point: 0 ]")
    assert show(call("torch_tensor_to_int8", torch.tensor([1.7, -2.2, 300]))) == \
        "  1\n -2\n 44\n[ CPUCharType{3} ]"
    assert call("torch_quantize_fp16", t).dtype == torch.float16


def test_tucker_and_khatri_rao():
    a = torch.tensor([[1., 2], [3, 4]])
    b = torch.tensor([[0., 1], [1, 0], [2, 2]])
    assert call("torch_khatri_rao_product", a, b).tolist() == [[0, 2], [1, 0], [2, 4], [0, 4], [3, 0], [6, 8]]
    assert err("torch_khatri_rao_product", a, torch.ones(2, 3)) == \
        "Error in Khatri-Rao product: Matrices must have the same number of columns"
    assert show(call("torch_tucker_compression_ratio", List([10, 10, 10]), List([2, 2, 2]),
                     List([List([10, 2])] * 3))) == "14.7059"
    torch.manual_seed(0)
    x = torch.einsum("ia,jb,kc,abc->ijk", torch.randn(5, 2), torch.randn(4, 2), torch.randn(3, 2),
                     torch.randn(2, 2, 2))
    core, factors = call("torch_tucker_decomposition", x, 2)
    assert core.shape == (2, 2, 2) and [tuple(f.shape) for f in factors] == [(5, 2), (4, 2), (3, 2)]
    back = call("torch_tucker_reconstruct", core, factors)
    assert torch.allclose(back, x, atol=1e-4)
    assert err("torch_tucker_decomposition", x, List([2, 2])) == \
        "Error: Number of ranks must match tensor dimensions"
    assert err("torch_tucker_reconstruct", 1, List([])) == "Error: Core must be a tensor"


def test_absurd_tensor_allocations_are_clear_errors():
    from lispe_py import LispE, LispEError
    lisp = LispE()
    lisp.eval("(use 'lispe_torch)")
    for src in ["(tensor_zeros (integers 1000000 1000000 1000))",       # 10^15 elements
                "(torch_randn (integers 100000 100000 100000))",
                "(torch_full (integers 100000 100000 100000) 2.0)",
                "(torch_linear 1000000000 1000000)"]:
        with pytest.raises(LispEError, match="can't allocate memory: you tried to allocate") as e:
            lisp.eval(src)
        assert e.value.line == 1
    assert lisp.eval("(tensor_sum (tensor_ones (integers 2 2)))") == 4.0
