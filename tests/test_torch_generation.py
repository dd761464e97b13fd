"""Text generation (spec §1.14): the generator calls its model (lispe-py follows the
documentation; the C++ draws random logits), greedy/top_k/top_p/beam search, EOS, config."""

import pytest

torch = pytest.importorskip("torch")

import lispe_py.torch  # noqa: E402,F401
from lispe_py.torch import generation as gen  # noqa: E402
from lispe_py.torch.layers import torch_model, torch_embedding  # noqa: E402
from lispe_py.errors import LispEError  # noqa: E402
from lispe_py.torch._lazy import ensure  # noqa: E402
from lispe_py.values import Dictionary, to_string  # noqa: E402

ensure()


class Bigram(torch.nn.Module):
    """Next token = (last token + 1) mod V, with a clear margin."""

    def __init__(self, v=7):
        super().__init__()
        self.v = v

    def forward(self, ids):
        return torch.nn.functional.one_hot((ids + 1) % self.v, self.v).float() * 10


def cfg(g, **kw):
    d = Dictionary()
    d.update(kw)
    return gen.torch_generator_config(g, d)


def test_config_and_print():
    g = gen.torch_generator_create(torch_model(4, 8, 2))
    assert to_string(g) == "TorchGenerator(max_length=100, temperature=1, strategy=greedy)"
    assert cfg(g, max_length=150, temperature=0.8) == "Generator configured successfully"
    assert gen.torch_set_generation_params(g, 7, None, None, 0.5) == "Generation parameters updated"
    assert to_string(g) == "TorchGenerator(max_length=7, temperature=0.8, strategy=greedy)"
    with pytest.raises(LispEError) as e:
        gen.torch_generator_create(3)
    assert e.value.text == "Generator requires a torch model"
    with pytest.raises(LispEError) as e:
        gen.torch_generate(3, torch.ones(1, 2), None)
    assert e.value.text == "First argument must be a torch generator"


@pytest.mark.parametrize("strategy", ["greedy", "top_k", "top_p", "beam_search"])
def test_strategies_follow_the_model(strategy):
    g = gen.torch_generator_create(Bigram())
    cfg(g, max_length=5, eos_token_id=-1, top_k=1, top_p=0.5)
    out = gen.torch_generate(g, torch.tensor([[1, 2]]), strategy)
    assert out.tolist() == [[1, 2, 3, 4, 5, 6, 0]]
    assert gen.torch_generate(g, torch.tensor([3]), strategy).tolist() == [3, 4, 5, 6, 0, 1]


def test_eos_and_padding():
    g = gen.torch_generator_create(Bigram())
    cfg(g, max_length=10, eos_token_id=5, pad_token_id=0)
    out = gen.torch_generate(g, torch.tensor([[3], [1]]), "greedy")
    assert out.tolist() == [[3, 4, 5, 0, 0], [1, 2, 3, 4, 5]]


def test_mlp_and_embedding_models(lispe):
    out = lispe("""
(setq g (torch_generator_create (torch_model 4 8 5) "cpu"))
(torch_generator_config g {"max_length":4 "eos_token_id":-1})
(setq p (tensor_reshape (torch_tensor (integers 1 2 3)) (integers 1 3)))
(setq a (torch_generate g p "greedy"))
(list (tensor_shape a) (tensor_shape (torch_generate g p "top_k"))
      (tensor_to_list (tensor_slice a 1 0 3))
      (< (tensor_max a) 5))""")
    assert out == "((1 7) (1 7) ((1 2 3)) true)"
    g = gen.torch_generator_create(torch_embedding(10, 10))
    cfg(g, max_length=3, eos_token_id=-1)
    assert gen.torch_generate(g, torch.tensor([1, 2]), "top_p").shape == (5,)
