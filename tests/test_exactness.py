"""autograder/exactness.py on its own: exact formulas pass whatever their form, approximations
fail whatever their step, and the work (evaluations) stays small. Trees are written by hand
here; tracing a student's function is tested through the grader (test_no_maths.py,
test_equivalent_forms.py)."""
import numpy as np
import pytest

from autograder import exactness, targets

X = ("sym", "x")


def num(v):
    return ("num", v)


def sig(a):
    return ("sigma", a)


def add(a, b):
    return ("add", a, b)


def sub(a, b):
    return ("sub", a, b)


def mul(a, b):
    return ("mul", a, b)


def div(a, b):
    return ("div", a, b)


def central(f, h):
    return div(sub(f(add(X, num(h))), f(sub(X, num(h)))), num(2 * h))


def stencil(f, weights, h):
    """sum_i w_i f(x + (i - m) h) / h, as a loop over the weights writes it."""
    m = len(weights) // 2
    total = num(0.0)
    for i, w in enumerate(weights):
        if w:
            total = add(total, mul(num(w), f(add(X, num((i - m) * h)))))
    return div(total, num(h))


SIGMA_PRIME = targets.FORMULAS["functions.sigmoid_prime"](X)
RELU_PRIME = targets.FORMULAS["functions.relu_prime"](X)
EIGHTH = [1 / 280, -4 / 105, 1 / 5, -4 / 5, 0.0, 4 / 5, -1 / 5, 4 / 105, -1 / 280]


def judge(tree, reference=SIGMA_PRIME, domain="real", calls=None):
    return exactness.check_formulas([(tree, reference)], [(("x",), domain)], np.random.default_rng(7), calls)


@pytest.mark.parametrize("h", [1e-2, 1e-5, 1e-8, 1e-10, 2.0 ** -30, 1e-100, 1e-300])
def test_a_difference_quotient_of_any_step_is_not_exact(h):
    assert judge(central(sig, h)) == "approximation"


def test_extrapolation_and_stencils_are_not_exact():
    c = lambda h: central(sig, h)          # noqa: E731
    richardson = div(sub(mul(num(4), c(5e-4)), c(1e-3)), num(3))
    assert judge(richardson) == "approximation"
    assert judge(stencil(sig, EIGHTH, 0.05)) == "approximation"
    assert judge(stencil(sig, EIGHTH, 0.5)) == "approximation"


def test_exact_formulas_pass_however_written():
    e = ("exp", ("neg", X))
    forms = [mul(sig(X), sig(("neg", X))), sub(sig(X), ("pow", sig(X), num(2))),
             div(e, ("pow", add(num(1), e), num(2))),
             div(("pow", num(np.e), ("neg", X)), ("pow", add(num(1), ("pow", num(np.e), ("neg", X))), num(2))),
             div(num(1), mul(num(4), ("pow", ("cosh", div(X, num(2))), num(2)))),
             # a stability guard in a denominator is read as 0
             div(mul(sig(X), mul(sig(X), sub(num(1), sig(X)))), add(sig(X), num(1e-12))),
             # an `if` joined by the tracer: 1{x >= 0} a + (1 - 1{x >= 0}) b
             add(mul(("ind", ("ge", X, num(0))), mul(sig(X), sub(num(1), sig(X)))),
                 mul(sub(num(1), ("ind", ("ge", X, num(0)))), mul(sig(X), sig(("neg", X)))))]
    for form in forms:
        assert judge(form) is None, form


def test_kinks_are_probed_below_every_step():
    h = 2.0 ** -40
    two_sided = div(sub(("relu", add(X, num(h))), ("relu", sub(X, num(h)))), num(2 * h))
    forward = div(sub(("relu", add(X, num(1e-7))), ("relu", X)), num(1e-7))
    steep = sig(mul(num(1e13), X))
    for domain in ("positive", "negative"):
        assert judge(two_sided, RELU_PRIME, domain) == "approximation"
        assert judge(steep, RELU_PRIME, domain) in ("approximation", "unevaluable")
        assert judge(("ind", ("gt", X, num(0))), RELU_PRIME, domain) is None
        assert judge(div(("relu", X), X), RELU_PRIME, domain) is None
    # exact for every x > 0, wrong within a step below 0 (docs/exact_formulas.md: a known limit)
    assert judge(forward, RELU_PRIME, "positive") is None
    assert judge(forward, RELU_PRIME, "negative") == "approximation"


def test_precision_grows_with_the_formula_and_large_ones_are_refused():
    assert exactness.digits_for(10) < exactness.digits_for(100)
    big = stencil(sig, [1.0] * 60, 0.1)
    assert len(exactness.dag(big)) > exactness.MAX_NODES
    assert judge(big) == "too_large"


def test_the_work_is_counted_and_small():
    calls = []
    assert judge(mul(sig(X), sub(num(1), sig(X))), calls=calls) is None
    assert len(calls) == exactness.MODERATE + exactness.TINY          # one evaluation per point
    assert max(calls) == exactness.digits_for(len(exactness.dag(mul(sig(X), sub(num(1), sig(X)))))) < 100
    calls = []
    assert judge(central(sig, 1e-5), calls=calls) == "approximation"
    assert len(calls) == 1                                            # the first point decides


def test_repeated_sub_expressions_count_once():
    s = sig(add(X, num(1)))
    assert len(exactness.dag(mul(s, s))) == len(exactness.dag(s)) + 1


def test_magnitudes_come_from_the_exponent_and_huge_ones_are_still_refused(monkeypatch):
    """A log10 per node per point was 0.08 s of CPU per grading: mpmath's mag decides first, and
    the log10 runs only near the limit (and for the first point's magnitudes, which set the tiny
    points' scale)."""
    import mpmath
    logs = []
    real = mpmath.mp.log10
    monkeypatch.setattr(mpmath.mp, "log10", lambda v: logs.append(v) or real(v))
    form = mul(sig(X), sub(num(1), sig(X)))
    assert judge(form) is None
    assert 0 < len(logs) <= len(exactness.dag(form))          # before: every node at every point
    for exponent in (60_000.0, -60_000.0):      # each factor within the limits, the product beyond
        big = ("pow", num(10.0), num(exponent))
        assert judge(add(sig(X), mul(big, big))) == "unevaluable"


def _padded(tree):
    """tree plus 0 * x^k for k < 40: distinct sub-expressions that raise the working precision."""
    for k in range(2, 40):
        tree = add(tree, mul(num(0), ("pow", X, num(k))))
    assert 150 < len(exactness.dag(tree)) <= exactness.MAX_NODES
    return tree


def test_hostile_magnitudes_are_refused_before_mpmath_computes_them(monkeypatch):
    """exp(10^20000) at the precision of a 200-node formula takes mpmath minutes, exp(10^(10^6))
    at 40 digits as long (symbolic.evaluate_exact, the overflow rescue): each argument of exp,
    cosh, sinh, sigma, softplus, tanh and of a non-integer power is bounded first, and the formula
    is refused as it would have been once computed. Counted: no mpmath exponential of an argument
    beyond the bound."""
    import mpmath

    from autograder import symbolic
    seen = []

    def counted(name):
        real = getattr(mpmath.mp, name)

        def call(*a):
            seen.append(name)
            assert name == "power" or abs(a[0]) <= exactness.EXP_LIMIT, "mpmath.%s(%s) computed" % (name, a[0])
            return real(*a)
        return call
    for name in ("exp", "cosh", "sinh", "tanh", "power"):
        monkeypatch.setattr(mpmath.mp, name, counted(name))
    huge = ("pow", num(10), num(20000))
    for head in ("exp", "cosh", "sinh", "sigma", "softplus"):
        for sign in (1, -1):
            bomb = (head, mul(num(sign), huge))
            assert judge(_padded(add(SIGMA_PRIME, mul(num(0), bomb)))) == "unevaluable", (head, sign)
    assert judge(add(SIGMA_PRIME, mul(num(0), ("pow", num(1.5), ("pow", num(10), num(1e300)))))) == "unevaluable"
    assert judge(add(SIGMA_PRIME, mul(num(0), ("softmax", 0, (X, huge))))) == "unevaluable"
    assert judge(mul(("tanh", huge), SIGMA_PRIME)) is None            # tanh of a huge argument is 1
    assert symbolic.evaluate_exact(("exp", ("pow", num(10), num(10 ** 6))), {"x": 1.0}) is None
    assert symbolic.evaluate_exact(mul(X, sig(X)), {"x": 800.0}) == 800.0
    assert "exp" in seen and "power" in seen             # the counting saw the evaluations
