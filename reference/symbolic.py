"""Closed forms of Q1 and Q2 as sympy expressions, and the answer key (``answer_key()``).

Import explicitly (``from reference import symbolic``): ``import reference`` does not load sympy.

Every function takes the sympy symbol(s) to build the expression in. Vectors are tuples of
symbols (see ``vector_symbols``); class labels are 0-based indices into such tuples.

Item map: Q1a ``sign_via_indicators``; Q1b ``relu_prime``; Q1c ``sigmoid_prime``;
Q1d ``identity_1d``; Q1e ``identity_1e``; Q1f ``l2_squared_grad``; Q1g ``l1_grad``;
Q1h ``softmax_scaled_component``; Q1i ``identity_1i``; Q1j ``softmax_partial``;
Q1k ``softmax_jacobian``; Q1l ``grad_log_softmax_composed``; Q2c ``softmax_component``;
Q2d ``mse_loss``/``mse_grad``; Q2e ``ce_loss``/``ce_grad``; Q2f ``mse_grad``/``ce_grad``
(limits); Q2g/Q2i ``multiclass_loss``/``multiclass_grad``; all items: ``answer_key``.
"""

from __future__ import annotations

import sympy as sp

__all__ = [
    "sigma", "tanh", "softplus", "sigmoid_prime", "indicator", "heaviside", "relu",
    "relu_prime", "sign_via_indicators", "identity_1d", "identity_1e", "vector_symbols",
    "softmax", "softmax_component", "softmax_scaled_component", "softmax_partial",
    "softmax_jacobian", "identity_1i", "l2_squared", "l2_squared_grad", "l1_norm", "l1_grad",
    "grad_log_softmax_composed", "mse_loss", "mse_grad", "mse_half_loss", "mse_half_grad",
    "ce_loss", "ce_grad", "multiclass_loss", "multiclass_grad", "answer_key",
]


# --------------------------------------------------------------------------- Q1 scalars
def sigma(z):
    """sigma(z) = 1 / (1 + exp(-z))."""
    return 1 / (1 + sp.exp(-z))


def tanh(z):
    """tanh(z) = (e^z - e^-z) / (e^z + e^-z)."""
    return (sp.exp(z) - sp.exp(-z)) / (sp.exp(z) + sp.exp(-z))


def softplus(z):
    """softplus(z) = log(1 + exp(z))."""
    return sp.log(1 + sp.exp(z))


def sigmoid_prime(z):
    """Q1c: sigma'(z) = sigma(z) (1 - sigma(z))."""
    return sigma(z) * (1 - sigma(z))


def indicator(cond):
    """1_cond as a Piecewise (1 where cond holds, else 0)."""
    return sp.Piecewise((1, cond), (0, True))


def heaviside(z):
    """H(z): 1 if z > 0, 0 if z < 0, 1/2 at 0."""
    return sp.Piecewise((1, z > 0), (0, z < 0), (sp.Rational(1, 2), True))


def relu(z):
    """rect(z) = z 1_{z>0}."""
    return sp.Piecewise((z, z > 0), (0, True))


def relu_prime(z, at_zero=0):
    """Q1b: rect'(z) = 1 if z > 0, 0 if z < 0 (undefined at 0; ``at_zero`` there)."""
    return sp.Piecewise((1, z > 0), (0, z < 0), (at_zero, True))


def sign_via_indicators(z):
    """Q1a: sign(z) = 1_{z>0} - 1_{z<0}."""
    return indicator(z > 0) - indicator(z < 0)


def identity_1d(z):
    """Q1d: Eq(log sigma(z), -softplus(-z)) (unevaluated)."""
    return sp.Eq(sp.log(sigma(z)), -softplus(-z), evaluate=False)


def identity_1e(z):
    """Q1e: Eq(softplus(z) - softplus(-z), z) (unevaluated)."""
    return sp.Eq(softplus(z) - softplus(-z), z, evaluate=False)


# --------------------------------------------------------------------------- Q1 vectors
def vector_symbols(n, name="x", **assumptions):
    """(x1, ..., xn): n real sympy symbols (1-based names as in the text; index 0 is x1)."""
    assumptions.setdefault("real", True)
    return tuple(sp.symbols(f"{name}1:{n + 1}", **assumptions))


def _vec(xs, name="x"):
    """A tuple of symbols: ``xs`` itself, or ``vector_symbols(xs, name)`` when xs is an int n."""
    return vector_symbols(xs, name) if isinstance(xs, int) else tuple(xs)


def softmax_component(xs, i):
    """S(x)_i = exp(x_i) / sum_j exp(x_j) (i 0-based; xs symbols, or n for x1..xn)."""
    xs = _vec(xs)
    return sp.exp(xs[i]) / sum(sp.exp(x) for x in xs)


def softmax(xs):
    """S(x) as an n x 1 sympy Matrix."""
    xs = _vec(xs)
    return sp.Matrix([softmax_component(xs, i) for i in range(len(xs))])


def softmax_scaled_component(xs, c, i):
    """Q1h: S_c(x)_i = S(c x)_i."""
    xs = _vec(xs)
    return softmax_component([c * x for x in xs], i)


def softmax_partial(xs, i, j):
    """Q1j closed form: dS_i/dx_j = S_i 1_{i=j} - S_i S_j."""
    xs = _vec(xs)
    s_i = softmax_component(xs, i)
    s_j = softmax_component(xs, j)
    return s_i * (1 if i == j else 0) - s_i * s_j


def softmax_jacobian(xs):
    """Q1k closed form: diag(S) - S S^T (n x n Matrix)."""
    s = softmax(xs)
    return sp.diag(*s) - s * s.T


def identity_1i(xs, c, i):
    """Q1i: Eq(S(x + c)_i, S(x)_i) (unevaluated)."""
    xs = _vec(xs)
    return sp.Eq(softmax_component([x + c for x in xs], i), softmax_component(xs, i),
                 evaluate=False)


def l2_squared(xs):
    """||x||_2^2 = sum x_i^2."""
    xs = _vec(xs)
    return sum(x ** 2 for x in xs)


def l2_squared_grad(xs):
    """Q1f: 2x (n x 1 Matrix)."""
    xs = _vec(xs)
    return sp.Matrix([2 * x for x in xs])


def l1_norm(xs):
    """||x||_1 = sum |x_i|."""
    xs = _vec(xs)
    return sum(sp.Abs(x) for x in xs)


def l1_grad(xs):
    """Q1g: sign(x) (n x 1 Matrix; sympy sign(0) = 0, the subgradient convention)."""
    xs = _vec(xs)
    return sp.Matrix([sp.sign(x) for x in xs])


def grad_log_softmax_composed(x_of_u, us, i):
    """Q1l closed form: grad_u x_i - sum_j S(x)_j grad_u x_j (p x 1 Matrix).

    ``x_of_u`` are the n expressions x_j(u), ``us`` the p symbols u.
    """
    n = len(x_of_u)
    s = [softmax_component(x_of_u, j) for j in range(n)]
    return sp.Matrix([
        sp.diff(x_of_u[i], u) - sum(s[j] * sp.diff(x_of_u[j], u) for j in range(n))
        for u in us
    ])


# --------------------------------------------------------------------------- Q2
def mse_loss(o, y):
    """Q2d: (sigma(o) - y)^2."""
    return (sigma(o) - y) ** 2


def mse_grad(o, y):
    """Q2d: 2 (sigma(o) - y) sigma(o) (1 - sigma(o))."""
    return 2 * (sigma(o) - y) * sigma(o) * (1 - sigma(o))


def mse_half_loss(o, y):
    """(sigma(o) - y)^2 / 2."""
    return (sigma(o) - y) ** 2 / 2


def mse_half_grad(o, y):
    """(sigma(o) - y) sigma(o) (1 - sigma(o))."""
    return (sigma(o) - y) * sigma(o) * (1 - sigma(o))


def ce_loss(o, y):
    """Q2e: -(y log sigma(o) + (1 - y) log(1 - sigma(o)))."""
    return -(y * sp.log(sigma(o)) + (1 - y) * sp.log(1 - sigma(o)))


def ce_grad(o, y):
    """Q2e: sigma(o) - y."""
    return sigma(o) - y


def multiclass_loss(oas, y):
    """Q2g: -o^a_y + log sum_k exp(o^a_k) (y 0-based index into ``oas``, or m for o1..om)."""
    oas = _vec(oas, "o")
    return -oas[y] + sp.log(sum(sp.exp(o) for o in oas))


def multiclass_grad(oas, y):
    """Q2i closed form: o^s - onehot(y) (m x 1 Matrix)."""
    oas = _vec(oas, "o")
    return sp.Matrix([softmax_component(oas, k) - (1 if k == y else 0)
                      for k in range(len(oas))])


# --------------------------------------------------------------------------- answer key
def _entry(item, title, text, latex=""):
    return {"item": item, "title": title, "text": text.strip("\n"), "latex": latex.strip("\n")}


def _configs_text(configs):
    by_s = {}
    for k, s, p, d in configs:
        by_s.setdefault(s, []).append(k)
    lines = []
    for s in sorted(by_s):
        ks = by_s[s]
        lines.append(f"  s={s}: k in {{{', '.join(map(str, ks))}}}")
    return "\n".join(lines)


def answer_key():
    """Expected answer of every item Q1a..Q3e: a list of dicts {item, title, text, latex}."""
    from . import conv, mlp  # pure Python / numpy

    keys = []
    add = keys.append

    # ---------------- Q1
    add(_entry("Q1a", "sign with indicators",
               "sign(x) = 1_{x>0}(x) - 1_{x<0}(x)",
               r"\operatorname{sign}(x) = \mathbf{1}_{\{x>0\}}(x) - \mathbf{1}_{\{x<0\}}(x)"))
    add(_entry("Q1b", "derivative of ReLU",
               "rect'(x) = 1_{x>0}(x): 1 if x > 0, 0 if x < 0; undefined at 0 "
               "(returning 0 at 0 is accepted).",
               r"\operatorname{rect}'(x) = \mathbf{1}_{\{x>0\}}(x) = "
               r"\begin{cases}1 & x>0\\ 0 & x<0\end{cases}"))
    add(_entry("Q1c", "sigmoid derivative",
               "sigma'(x) = sigma(x) (1 - sigma(x))",
               r"\sigma'(x) = \sigma(x)\,(1 - \sigma(x))"))
    add(_entry("Q1d", "ln sigma(x) = -softplus(-x)",
               "ln sigma(x) = ln(1/(1+e^{-x})) = -ln(1+e^{-x}) = -softplus(-x)",
               r"\ln\sigma(x) = \ln\frac{1}{1+e^{-x}} = -\ln(1+e^{-x}) = "
               r"-\operatorname{softplus}(-x)"))
    add(_entry("Q1e", "softplus(x) - softplus(-x) = x",
               "softplus(x) - softplus(-x) = ln((1+e^x)/(1+e^{-x})) "
               "= ln(e^x (e^{-x}+1)/(1+e^{-x})) = ln e^x = x",
               r"\operatorname{softplus}(x)-\operatorname{softplus}(-x) = "
               r"\ln\frac{1+e^{x}}{1+e^{-x}} = \ln\frac{e^{x}(e^{-x}+1)}{1+e^{-x}} = x"))
    add(_entry("Q1f", "gradient of the squared L2 norm",
               "d||x||_2^2/dx = 2x",
               r"\frac{\partial \|\mathbf{x}\|_2^2}{\partial \mathbf{x}} = 2\mathbf{x}"))
    add(_entry("Q1g", "gradient of the L1 norm",
               "d||x||_1/dx = sign(x) (componentwise; at x_i = 0 |x_i| is not differentiable: "
               "any value in [-1, 1] is a subgradient, 0 by the sign convention)",
               r"\frac{\partial \|\mathbf{x}\|_1}{\partial \mathbf{x}} = "
               r"\operatorname{sign}(\mathbf{x})"))
    add(_entry("Q1h", "softmax is not invariant to scaling",
               "Counterexample: x = (0, 1), c = 2: S(x) = (0.2689, 0.7311) but "
               "S(2x) = (0.1192, 0.8808). In general S(cx) = S(x) iff c = 1 or x is constant "
               "((c-1)x must be a constant vector); c = 0 gives the uniform distribution.",
               r"S((0,1)) = \left(\tfrac{1}{1+e}, \tfrac{e}{1+e}\right) \neq "
               r"S((0,2)) = \left(\tfrac{1}{1+e^2}, \tfrac{e^2}{1+e^2}\right)"))
    add(_entry("Q1i", "softmax is invariant to translations",
               "S(x+c)_i = e^{x_i+c} / sum_j e^{x_j+c} = e^c e^{x_i} / (e^c sum_j e^{x_j}) "
               "= S(x)_i",
               r"S(\mathbf{x}+c)_i = \frac{e^{c}e^{x_i}}{e^{c}\sum_j e^{x_j}} = S(\mathbf{x})_i"))
    add(_entry("Q1j", "partial derivatives of softmax",
               "dS_i/dx_j = (e^{x_i} 1_{i=j} sum_k e^{x_k} - e^{x_i} e^{x_j}) / (sum_k e^{x_k})^2 "
               "= S_i 1_{i=j} - S_i S_j",
               r"\frac{\partial S(\mathbf{x})_i}{\partial x_j} = S(\mathbf{x})_i\mathbf{1}_{i=j}"
               r" - S(\mathbf{x})_i S(\mathbf{x})_j"))
    add(_entry("Q1k", "Jacobian of softmax",
               "dS/dx = diag(S(x)) - S(x) S(x)^T  (n x n, symmetric, J 1 = 0)",
               r"\frac{\partial S(\mathbf{x})}{\partial \mathbf{x}} = "
               r"\operatorname{diag}(S(\mathbf{x})) - S(\mathbf{x})S(\mathbf{x})^\top"))
    add(_entry("Q1l", "gradient of log softmax of x(u)",
               "log S(x(u))_i = x_i(u) - log sum_j e^{x_j(u)}, so grad_u log S_i = grad_u x_i - "
               "sum_j (e^{x_j}/sum_k e^{x_k}) grad_u x_j = grad_u x_i - E_{j~S(x(u))}[grad_u x_j]"
               " (j has probability S(x(u))_j).",
               r"\nabla_u \log S(\mathbf{x}(u))_i = \nabla_u x_i - \sum_j S(\mathbf{x}(u))_j"
               r"\nabla_u x_j = \nabla_u x_i - \mathbb{E}_{j\sim S(\mathbf{x}(u))}"
               r"[\nabla_u x_j]"))

    # ---------------- Q2
    add(_entry("Q2a", "hidden layer",
               "b1 in R^{d_h}. h^a = W1 x + b1; h^a_j = sum_{i=1}^{d} W1_{ji} x_i + b1_j; "
               "h^s = sigma(h^a) (elementwise).",
               r"\mathbf{b}^{(1)}\in\mathbb{R}^{d_h},\ \mathbf{h}^a = \mathbf{W}^{(1)}\mathbf{x}"
               r" + \mathbf{b}^{(1)},\ h^a_j = \sum_{i=1}^{d} W^{(1)}_{ji}x_i + b^{(1)}_j,\ "
               r"\mathbf{h}^s = \sigma(\mathbf{h}^a)"))
    add(_entry("Q2b", "output layer pre-activations",
               "W2 in R^{m x d_h}, b2 in R^m. o^a = W2 h^s + b2; "
               "o^a_k = sum_{j=1}^{d_h} W2_{kj} h^s_j + b2_k.",
               r"\mathbf{W}^{(2)}\in\mathbb{R}^{m\times d_h},\ \mathbf{b}^{(2)}\in\mathbb{R}^m,"
               r"\ \mathbf{o}^a = \mathbf{W}^{(2)}\mathbf{h}^s + \mathbf{b}^{(2)},\ "
               r"o^a_k = \sum_{j=1}^{d_h} W^{(2)}_{kj}h^s_j + b^{(2)}_k"))
    add(_entry("Q2c", "softmax output",
               "o^s_k = exp(o^a_k) / sum_{k'=1}^m exp(o^a_{k'}). Positive: exp > 0 and the "
               "denominator is a sum of positives. Sum to 1: the numerators add up to the "
               "denominator. Important: o^s is a probability distribution over the m classes, "
               "so o^s_y is P(y | x) and -log o^s_y is a negative log-likelihood.",
               r"o^s_k = \frac{e^{o^a_k}}{\sum_{k'=1}^{m} e^{o^a_{k'}}} > 0,\quad "
               r"\sum_k o^s_k = 1"))
    add(_entry("Q2d", "binary MSE",
               "L_MSE(sigma(o^a), y) = (sigma(o^a) - y)^2; dL/do^a = 2 (sigma(o^a) - y) "
               "sigma(o^a) (1 - sigma(o^a)). (With the 1/2 convention: "
               "(sigma - y) sigma (1 - sigma).)",
               r"L_{MSE} = (\sigma(o^a) - y)^2,\quad \frac{\partial L_{MSE}}{\partial o^a} = "
               r"2(\sigma(o^a) - y)\,\sigma(o^a)(1 - \sigma(o^a))"))
    add(_entry("Q2e", "binary cross-entropy (bonus)",
               "L_CE(sigma(o^a), y) = -[y log sigma(o^a) + (1 - y) log(1 - sigma(o^a))]; "
               "dL/do^a = sigma(o^a) - y.",
               r"L_{CE} = -\left[y\log\sigma(o^a) + (1-y)\log(1-\sigma(o^a))\right],\quad "
               r"\frac{\partial L_{CE}}{\partial o^a} = \sigma(o^a) - y"))
    # sympy.limit of mse_grad / ce_grad gives the same values (checked by the tests)
    lim_mse = int(mlp.mse_grad_limit_wrong_side(1))
    lim_ce = int(mlp.ce_grad_limit_wrong_side(1))
    add(_entry("Q2f", "why cross-entropy (bonus)",
               f"Confidently wrong (y = 1, o^a -> -inf): MSE gradient -> {lim_mse} "
               f"(the factor sigma(1 - sigma) vanishes: learning stalls exactly when the error "
               f"is largest), CE gradient -> {lim_ce} (stays of size 1 and pushes o^a up). "
               "Symmetrically for y = 0, o^a -> +inf: MSE -> 0, CE -> +1. The graded tables "
               f"L[y][side] (side 0: o^a -> -inf, 1: +inf): {mlp.grad_limits()}. Also L_CE is convex "
               "in o^a (second derivative sigma(1 - sigma) > 0) and is the Bernoulli negative "
               "log-likelihood; L_MSE(sigma(o^a)) is not convex.",
               r"\lim_{o^a\to-\infty}\frac{\partial L_{MSE}}{\partial o^a}\Big|_{y=1} = 0,\quad"
               r"\lim_{o^a\to-\infty}\frac{\partial L_{CE}}{\partial o^a}\Big|_{y=1} = -1"))
    add(_entry("Q2g", "multiclass loss in terms of o^a",
               "L(x, y) = -log o^s_y = -o^a_y + log sum_{k=1}^m exp(o^a_k)",
               r"L(\mathbf{x},y) = -o^a_y + \log\sum_{k=1}^{m} e^{o^a_k}"))
    add(_entry("Q2h", "empirical risk, parameters, optimisation problem",
               "R_hat(theta) = 1/n sum_{i=1}^n L(x^(i), y^(i)) = 1/n sum_i [ -o^a_{y^(i)}(x^(i)) "
               "+ log sum_k exp(o^a_k(x^(i))) ]. theta = {W1 (d_h x d), b1 (d_h), W2 (m x d_h), "
               "b2 (m)}; n_theta = d_h d + d_h + m d_h + m = d_h (d + 1) + m (d_h + 1). "
               "Training: theta* = argmin_theta R_hat(theta).",
               r"\hat R(\theta) = \frac1n\sum_{i=1}^{n} L(\mathbf{x}^{(i)}, y^{(i)}),\ "
               r"\theta = \{\mathbf{W}^{(1)},\mathbf{b}^{(1)},\mathbf{W}^{(2)},\mathbf{b}^{(2)}\},"
               r"\ n_\theta = d_h(d+1) + m(d_h+1),\ \theta^* = \arg\min_\theta \hat R(\theta)"))
    add(_entry("Q2i", "gradient wrt o^a",
               "dL/do^a_k = e^{o^a_k}/sum_k' e^{o^a_k'} = o^s_k for k != y, and -1 + o^s_y for "
               "k = y; hence dL/do^a = o^s - onehot_m(y)  (m).",
               r"\frac{\partial L}{\partial \mathbf{o}^a} = \mathbf{o}^s - "
               r"\operatorname{onehot}_m(y)"))
    add(_entry("Q2j", "gradients wrt W2, b2 (components)",
               "dL/dW2_kj = dL/do^a_k * h^s_j ; dL/db2_k = dL/do^a_k",
               r"\frac{\partial L}{\partial W^{(2)}_{kj}} = \frac{\partial L}{\partial o^a_k}"
               r"h^s_j,\quad \frac{\partial L}{\partial b^{(2)}_k} = "
               r"\frac{\partial L}{\partial o^a_k}"))
    add(_entry("Q2k", "gradients wrt W2, b2 (matrix form)",
               "dL/dW2 = (dL/do^a) (h^s)^T : (m x 1)(1 x d_h) = m x d_h ; "
               "dL/db2 = dL/do^a : m",
               r"\frac{\partial L}{\partial \mathbf{W}^{(2)}} = \frac{\partial L}{\partial "
               r"\mathbf{o}^a}(\mathbf{h}^s)^\top \in\mathbb{R}^{m\times d_h},\quad "
               r"\frac{\partial L}{\partial \mathbf{b}^{(2)}} = \frac{\partial L}{\partial "
               r"\mathbf{o}^a}\in\mathbb{R}^{m}"))
    add(_entry("Q2l", "gradient wrt h^s (components)",
               "dL/dh^s_j = sum_{k=1}^m dL/do^a_k * W2_kj",
               r"\frac{\partial L}{\partial h^s_j} = \sum_{k=1}^{m}\frac{\partial L}"
               r"{\partial o^a_k} W^{(2)}_{kj}"))
    add(_entry("Q2m", "gradient wrt h^s (matrix form)",
               "dL/dh^s = (W2)^T dL/do^a : (d_h x m)(m x 1) = d_h",
               r"\frac{\partial L}{\partial \mathbf{h}^s} = (\mathbf{W}^{(2)})^\top"
               r"\frac{\partial L}{\partial \mathbf{o}^a}\in\mathbb{R}^{d_h}"))
    add(_entry("Q2n", "gradient wrt h^a (components)",
               "sigma'(z) = sigma(z)(1 - sigma(z)); dL/dh^a_j = dL/dh^s_j * sigma'(h^a_j) "
               "= dL/dh^s_j * h^s_j (1 - h^s_j)",
               r"\frac{\partial L}{\partial h^a_j} = \frac{\partial L}{\partial h^s_j}\,"
               r"h^s_j(1-h^s_j)"))
    add(_entry("Q2o", "gradient wrt h^a (matrix form)",
               "dL/dh^a = dL/dh^s * h^s * (1 - h^s) (elementwise) = diag(sigma'(h^a)) dL/dh^s : d_h. "
               "(Then dL/dW1 = dL/dh^a x^T (d_h x d), dL/db1 = dL/dh^a (d_h).)",
               r"\frac{\partial L}{\partial \mathbf{h}^a} = \frac{\partial L}{\partial "
               r"\mathbf{h}^s}\odot\mathbf{h}^s\odot(1-\mathbf{h}^s)\in\mathbb{R}^{d_h}"))

    # ---------------- Q3
    shapes = conv.q3a_shapes()
    add(_entry("Q3a", "output size of the last layer",
               f"(3,128,128) -conv 32@8x8 s2 p0-> {shapes[0]} [(128-8)/2+1 = 61] "
               f"-maxpool 5x5 s5-> {shapes[1]} [floor((61-5)/5)+1 = 12] "
               f"-conv 128@4x4 s1 p1-> {shapes[2]} [12+2-4+1 = 11]; "
               f"dimension = 128*11*11 = {conv.q3a_total()}",
               r"128\times 11\times 11 = " + str(conv.q3a_total())))
    add(_entry("Q3b", "parameters of the last layer",
               f"128 filters x 32 channels x 4 x 4 = {conv.q3b_params()} "
               f"(+128 biases = {conv.q3b_params() + 128} if biases were counted)",
               r"128\cdot 32\cdot 4\cdot 4 = " + str(conv.q3b_params())))
    cde = {
        "c": "no padding, no dilation (p = 0, d = 1)",
        "d": "d = 2, p = 2",
        "e": "p = 1, d = 1, s = 2",
    }
    for item, title in cde.items():
        configs = conv.valid_configs(item)
        add(_entry(f"Q3{item}", f"(3,32,32) -> (28,4,4) with {title} (bonus)",
                   "28 filters of size 3 x k x k; out = floor((32 + 2p - d(k-1) - 1)/s) + 1 = 4. "
                   f"All {len(configs)} valid (k, s, p, d) (q3{item}_configurations(32, 4) must list them all; "
                   "any one earns the first point) "
                   "(those with s > d(k-1)+1 ignore some input pixels but satisfy the text):\n"
                   + _configs_text(configs),
                   r"\left\lfloor\frac{32 + 2p - d(k-1) - 1}{s}\right\rfloor + 1 = 4"))
    return keys
