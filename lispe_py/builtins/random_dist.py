"""Random distributions (LispE's library over <random>): ``(X_distribution nb params...)``
draws nb values (a single value when nb is 1, () when nb < 1). Counts are integers, Bernoulli
draws are true/nil, discrete draws are indexes (numbers), the others are numbers.

The piecewise distributions print nothing in the real LispE 1.2025.11.12; lispe-py draws from
them as the C++ standard defines them (boundaries, then densities or weights)."""

import bisect
import math
import random as _random

from ..errors import LispEError
from ..values import TRUE, Integers, List, Numbers
from .core import integer, number
from .registry import builtin

_rng = _random.Random()


def _draw(nb, kind, fn):
    n = integer(nb)
    if n < 1:
        return kind()
    if n == 1:
        return fn()
    return kind(fn() for _ in range(n))


def _lib(name, params, doc):
    return builtin(name, library=True, params=params, doc=doc)


@_lib("uniform_distribution", ["nb", "(alpha 0)", "(beta 1)"],
      "Uniform discrete distribution (alpha = 0 beta = 1) ")
def uniform_distribution(nb, alpha=0, beta=1):
    """(uniform_distribution nb (alpha 0) (beta 1)): numbers drawn uniformly in [alpha, beta)."""
    a, b = number(alpha), number(beta)
    return _draw(nb, Numbers, lambda: a + (b - a) * _rng.random())


@_lib("bernoulli_distribution", ["nb", "(alpha 0.5)"], "Bernoulli distribution (alpha = 0.5)")
def bernoulli_distribution(nb, alpha=0.5):
    """(bernoulli_distribution nb (alpha 0.5)): true with probability alpha, else nil."""
    p = number(alpha)
    return _draw(nb, List, lambda: TRUE if _rng.random() < p else None)


def _binomial(t, p):
    if t <= 0 or p <= 0:
        return 0
    if p >= 1:
        return t
    if t < 64:
        return sum(1 for _ in range(t) if _rng.random() < p)
    return _rng.binomialvariate(t, p) if hasattr(_rng, "binomialvariate") else \
        max(0, min(t, int(round(_rng.gauss(t * p, math.sqrt(t * p * (1 - p)))))))


@_lib("binomial_distribution", ["nb", "(alpha 1)", "(beta 0.5)"],
      "Binomial distribution (alpha = 1 beta = 0.5)")
def binomial_distribution(nb, alpha=1, beta=0.5):
    """(binomial_distribution nb (alpha 1) (beta 0.5)): successes in alpha trials of
    probability beta."""
    t, p = integer(alpha), number(beta)
    return _draw(nb, Integers, lambda: _binomial(t, p))


def _poisson(mean):
    if mean <= 0:
        return 0
    if mean < 500:
        limit = math.exp(-mean)
        k = 0
        prod = _rng.random()
        while prod > limit:
            k += 1
            prod *= _rng.random()
        return k
    return max(0, int(round(_rng.gauss(mean, math.sqrt(mean)))))


@_lib("negative_binomial_distribution", ["nb", "(alpha 1)", "(beta 0.5)"],
      "Negative binomial distribution (alpha = 1 beta = 0.5)")
def negative_binomial_distribution(nb, alpha=1, beta=0.5):
    """(negative_binomial_distribution nb (alpha 1) (beta 0.5)): failures before alpha
    successes of probability beta."""
    k, p = integer(alpha), number(beta)
    if p >= 1:
        return _draw(nb, Integers, lambda: 0)
    return _draw(nb, Integers, lambda: _poisson(_rng.gammavariate(k, (1 - p) / p)) if k > 0 else 0)


def _geometric(p):
    if p >= 1:
        return 0
    if p <= 0:
        raise LispEError("geometric_distribution: the probability must be in (0, 1]")
    return int(math.log(1.0 - _rng.random()) / math.log(1.0 - p))


@_lib("geometric_distribution", ["nb", "(alpha 0.5)"], "Geometric distribution (alpha = 0.5)")
def geometric_distribution(nb, alpha=0.5):
    """(geometric_distribution nb (alpha 0.5)): failures before the first success."""
    p = number(alpha)
    if p > 1:
        raise LispEError("geometric_distribution: the probability must be in (0, 1]")
    return _draw(nb, Integers, lambda: _geometric(p))


@_lib("poisson_distribution", ["nb", "(alpha 1)"], "Poisson distribution (alpha = 1)")
def poisson_distribution(nb, alpha=1):
    """(poisson_distribution nb (alpha 1)): integers of a Poisson law of mean alpha."""
    m = number(alpha)
    return _draw(nb, Integers, lambda: _poisson(m))


@_lib("exponential_distribution", ["nb", "alpha"], "Exponential distribution")
def exponential_distribution(nb, alpha):
    """(exponential_distribution nb alpha): numbers of an exponential law of rate alpha."""
    lam = number(alpha)
    return _draw(nb, Numbers, lambda: _rng.expovariate(lam))


@_lib("gamma_distribution", ["nb", "alpha", "beta"], "Gamma distribution")
def gamma_distribution(nb, alpha, beta):
    """(gamma_distribution nb alpha beta): numbers of a gamma law (shape alpha, scale beta)."""
    a, b = number(alpha), number(beta)
    return _draw(nb, Numbers, lambda: _rng.gammavariate(a, b))


@_lib("weibull_distribution", ["nb", "(alpha 1)", "(beta 1)"],
      "Weibull distribution (alpha = 1 beta = 1)")
def weibull_distribution(nb, alpha=1, beta=1):
    """(weibull_distribution nb (alpha 1) (beta 1)): a Weibull law (shape alpha, scale beta)."""
    a, b = number(alpha), number(beta)
    return _draw(nb, Numbers, lambda: _rng.weibullvariate(b, a))


@_lib("extreme_value_distribution", ["nb", "(alpha 0)", "(beta 1)"],
      "Extreme Value distribution (alpha = 0 beta = 1)")
def extreme_value_distribution(nb, alpha=0, beta=1):
    """(extreme_value_distribution nb (alpha 0) (beta 1)): a Gumbel law (location alpha,
    scale beta)."""
    a, b = number(alpha), number(beta)
    return _draw(nb, Numbers, lambda: a - b * math.log(-math.log(1.0 - _rng.random())))


@_lib("normal_distribution", ["nb", "(alpha 0)", "(beta 1)"],
      "Normal distribution (alpha = 0 beta = 1)")
def normal_distribution(nb, alpha=0, beta=1):
    """(normal_distribution nb (alpha 0) (beta 1)): a normal law (mean alpha, deviation beta)."""
    m, s = number(alpha), number(beta)
    return _draw(nb, Numbers, lambda: _rng.gauss(m, s))


@_lib("lognormal_distribution", ["nb", "(alpha 0)", "(beta 1)"],
      "Lognormal distribution (alpha = 0 beta = 1)")
def lognormal_distribution(nb, alpha=0, beta=1):
    """(lognormal_distribution nb (alpha 0) (beta 1)): exp of a normal law (alpha, beta)."""
    m, s = number(alpha), number(beta)
    return _draw(nb, Numbers, lambda: _rng.lognormvariate(m, s))


def _chi2(n):
    return _rng.gammavariate(n / 2.0, 2.0)


@_lib("chi_squared_distribution", ["nb", "alpha"], "Chi-squared distribution ")
def chi_squared_distribution(nb, alpha):
    """(chi_squared_distribution nb alpha): a chi-squared law of alpha degrees of freedom."""
    n = number(alpha)
    return _draw(nb, Numbers, lambda: _chi2(n))


@_lib("cauchy_distribution", ["nb", "(alpha 0)", "(beta 1)"],
      "Cauchy distribution (alpha = 0 beta = 1)")
def cauchy_distribution(nb, alpha=0, beta=1):
    """(cauchy_distribution nb (alpha 0) (beta 1)): a Cauchy law (location alpha, scale beta)."""
    a, b = number(alpha), number(beta)
    return _draw(nb, Numbers, lambda: a + b * math.tan(math.pi * (_rng.random() - 0.5)))


@_lib("fisher_distribution", ["nb", "(alpha 1)", "(beta 1)"],
      "Fisher F-distribution (alpha = 1 beta = 1)")
def fisher_distribution(nb, alpha=1, beta=1):
    """(fisher_distribution nb (alpha 1) (beta 1)): a Fisher F law (alpha, beta degrees)."""
    m, n = number(alpha), number(beta)
    return _draw(nb, Numbers, lambda: (_chi2(m) / m) / (_chi2(n) / n))


@_lib("student_distribution", ["nb", "(alpha 1)"], "Student T-Distribution (alpha = 1)")
def student_distribution(nb, alpha=1):
    """(student_distribution nb (alpha 1)): a Student t law of alpha degrees of freedom."""
    n = number(alpha)
    return _draw(nb, Numbers, lambda: _rng.gauss(0, 1) / math.sqrt(_chi2(n) / n))


def _weights(l):
    if not isinstance(l, list):
        raise LispEError("Expecting a list of weights")
    w = [number(x) for x in l]
    if not w or sum(w) <= 0:
        return [1.0] if not w else [1.0] * len(w)
    return w


@_lib("discrete_distribution", ["nb", "liste"], "Discrete distribution")
def discrete_distribution(nb, liste):
    """(discrete_distribution nb weights): weights drawn with probability proportional to
    themselves (LispE returns the weight at the index std::discrete_distribution draws)."""
    w = _weights(liste)
    vals = [number(x) for x in liste] if isinstance(liste, list) and liste else [1.0]
    return _draw(nb, Numbers, lambda: _rng.choices(vals, w)[0])


def _bounds(l):
    if not isinstance(l, list) or len(l) < 2:
        raise LispEError("Expecting a list of at least two interval boundaries")
    return [number(x) for x in l]


@_lib("piecewise_constant_distribution", ["nb", "liste", "inter"],
      "Piecewise constant distribution")
def piecewise_constant_distribution(nb, liste, inter):
    """(piecewise_constant_distribution nb boundaries weights): numbers uniform within an
    interval chosen with probability proportional to its weight."""
    b = _bounds(liste)
    w = [number(x) for x in inter][:len(b) - 1] if isinstance(inter, list) else []
    w += [0.0] * (len(b) - 1 - len(w))
    if sum(w) <= 0:
        w = [1.0] * (len(b) - 1)
    areas = [wi * (b[i + 1] - b[i]) for i, wi in enumerate(w)]
    idx = list(range(len(areas)))

    def one():
        i = _rng.choices(idx, areas)[0]
        return b[i] + (b[i + 1] - b[i]) * _rng.random()
    return _draw(nb, Numbers, one)


@_lib("piecewise_linear_distribution", ["nb", "liste", "inter"],
      "Piecewise linear distribution")
def piecewise_linear_distribution(nb, liste, inter):
    """(piecewise_linear_distribution nb boundaries densities): numbers whose density is
    linear between the densities given at the boundaries."""
    b = _bounds(liste)
    d = [number(x) for x in inter][:len(b)] if isinstance(inter, list) else []
    d += [0.0] * (len(b) - len(d))
    if sum(d) <= 0:
        d = [1.0] * len(b)
    areas = [(d[i] + d[i + 1]) / 2.0 * (b[i + 1] - b[i]) for i in range(len(b) - 1)]
    idx = list(range(len(areas)))

    def one():
        i = _rng.choices(idx, areas)[0]
        x0, x1, y0, y1 = b[i], b[i + 1], d[i], d[i + 1]
        u = _rng.random()
        if abs(y1 - y0) < 1e-12:
            return x0 + (x1 - x0) * u
        # invert the cumulative of a trapezoid
        t = (-y0 + math.sqrt(y0 * y0 + u * (y1 * y1 - y0 * y0))) / (y1 - y0)
        return x0 + (x1 - x0) * t
    return _draw(nb, Numbers, one)


del bisect
