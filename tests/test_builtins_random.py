"""Random distributions (issue 15). Draws cannot be compared with the real LispE value by
value: the tests check what the real LispE 1.2025.11.12 shows for them (types, the single
value when nb is 1, () when nb < 1, the printed deflib) and the laws' means."""

import pytest

from lispe_py.errors import LispEError

NAMES = """uniform bernoulli binomial negative_binomial geometric poisson exponential gamma
weibull extreme_value normal lognormal chi_squared cauchy fisher student discrete
piecewise_constant piecewise_linear""".split()

# what (println name_distribution) prints in the real LispE
PRINTED = {
    "uniform": "(deflib uniform_distribution (nb (alpha 0) (beta 1)) Uniform discrete distribution (alpha = 0 beta = 1) )",
    "bernoulli": "(deflib bernoulli_distribution (nb (alpha 0.5)) Bernoulli distribution (alpha = 0.5))",
    "binomial": "(deflib binomial_distribution (nb (alpha 1) (beta 0.5)) Binomial distribution (alpha = 1 beta = 0.5))",
    "negative_binomial": "(deflib negative_binomial_distribution (nb (alpha 1) (beta 0.5)) Negative binomial distribution (alpha = 1 beta = 0.5))",
    "geometric": "(deflib geometric_distribution (nb (alpha 0.5)) Geometric distribution (alpha = 0.5))",
    "poisson": "(deflib poisson_distribution (nb (alpha 1)) Poisson distribution (alpha = 1))",
    "exponential": "(deflib exponential_distribution (nb alpha) Exponential distribution)",
    "gamma": "(deflib gamma_distribution (nb alpha beta) Gamma distribution)",
    "weibull": "(deflib weibull_distribution (nb (alpha 1) (beta 1)) Weibull distribution (alpha = 1 beta = 1))",
    "extreme_value": "(deflib extreme_value_distribution (nb (alpha 0) (beta 1)) Extreme Value distribution (alpha = 0 beta = 1))",
    "normal": "(deflib normal_distribution (nb (alpha 0) (beta 1)) Normal distribution (alpha = 0 beta = 1))",
    "lognormal": "(deflib lognormal_distribution (nb (alpha 0) (beta 1)) Lognormal distribution (alpha = 0 beta = 1))",
    "chi_squared": "(deflib chi_squared_distribution (nb alpha) Chi-squared distribution )",
    "cauchy": "(deflib cauchy_distribution (nb (alpha 0) (beta 1)) Cauchy distribution (alpha = 0 beta = 1))",
    "fisher": "(deflib fisher_distribution (nb (alpha 1) (beta 1)) Fisher F-distribution (alpha = 1 beta = 1))",
    "student": "(deflib student_distribution (nb (alpha 1)) Student T-Distribution (alpha = 1))",
    "discrete": "(deflib discrete_distribution (nb liste) Discrete distribution)",
    "piecewise_constant": "(deflib piecewise_constant_distribution (nb liste inter) Piecewise constant distribution)",
    "piecewise_linear": "(deflib piecewise_linear_distribution (nb liste inter) Piecewise linear distribution)",
}


@pytest.mark.parametrize("name", NAMES)
def test_printed_as_the_real_lispe(lispe, name):
    assert lispe("%s_distribution" % name) == PRINTED[name]


# (program, printed value) as the real LispE shows them
CASES = [
    ("(type (uniform_distribution 3 0 1))", "numbers_"),
    ("(type (uniform_distribution 1 5 10))", "number_"),
    ("(type (poisson_distribution 5 4))", "integers_"),
    ("(type (binomial_distribution 5 10 0.5))", "integers_"),
    ("(type (negative_binomial_distribution 5 3 0.5))", "integers_"),
    ("(type (geometric_distribution 5 0.5))", "integers_"),
    ("(type (normal_distribution 5 0 1))", "numbers_"),
    ("(type (bernoulli_distribution 5 0.5))", "list_"),
    ("(type (discrete_distribution 5 (numbers 0 0 1)))", "numbers_"),
    ("(discrete_distribution 5 (numbers 0 0 1))", "(1 1 1 1 1)"),
    ("(discrete_distribution 3 (list 1 0))", "(1 1 1)"),
    ("(bernoulli_distribution 1 2)", "true"),
    ("(bernoulli_distribution 4 1)", "(true true true true)"),
    ("(binomial_distribution 4 3 1)", "(3 3 3 3)"),
    ("(geometric_distribution 4 1)", "(0 0 0 0)"),
    ("(normal_distribution 0 0 1)", "()"),
    ("(normal_distribution -1 0 1)", "()"),
    ("(size (exponential_distribution 7 2))", "7"),
]


@pytest.mark.parametrize("src,expected", CASES)
def test_output(lispe, src, expected):
    assert lispe(src) == expected


@pytest.mark.parametrize("name", ["exponential", "gamma", "chi_squared", "discrete",
                                  "piecewise_constant", "piecewise_linear"])
def test_missing_parameters(lispe, name):
    with pytest.raises(LispEError, match="Wrong parameter description"):
        lispe("(%s_distribution 20)" % name)


MEANS = [
    ("(uniform_distribution 4000 2 4)", 3.0, 0.1),
    ("(normal_distribution 4000 5 2)", 5.0, 0.15),
    ("(poisson_distribution 4000 4)", 4.0, 0.15),
    ("(binomial_distribution 4000 10 0.3)", 3.0, 0.1),
    ("(geometric_distribution 4000 0.5)", 1.0, 0.1),
    ("(negative_binomial_distribution 4000 3 0.5)", 3.0, 0.2),
    ("(exponential_distribution 4000 2)", 0.5, 0.05),
    ("(gamma_distribution 4000 2 3)", 6.0, 0.3),
    ("(chi_squared_distribution 4000 3)", 3.0, 0.2),
    ("(lognormal_distribution 4000 0 0.5)", 1.1331, 0.05),
    ("(weibull_distribution 4000 2 1)", 0.8862, 0.04),
    ("(extreme_value_distribution 4000 0 1)", 0.5772, 0.08),
    ("(piecewise_constant_distribution 4000 (numbers 0 1 2) (numbers 1 3))", 1.25, 0.06),
    ("(piecewise_linear_distribution 4000 (numbers 0 1) (numbers 0 1))", 0.6667, 0.04),
    ("(discrete_distribution 4000 (numbers 1 1 2))", 1.5, 0.08),
]


@pytest.mark.parametrize("src,mean,tol", MEANS)
def test_means(lispe, src, mean, tol):
    m = float(lispe("(/ (sum %s) 4000.0)" % src))
    assert abs(m - mean) < tol


def test_ranges(lispe):
    assert lispe("(setq l (uniform_distribution 500 2 3)) (and (>= (min l) 2) (< (max l) 3))") == "true"
    assert lispe("(setq l (piecewise_constant_distribution 500 (numbers 0 1 2) (numbers 0 1))) "
                 "(>= (min l) 1)") == "true"
