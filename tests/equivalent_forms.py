"""Correct answers written in unusual forms: every one must earn full marks everywhere.

Each form is an edit of the full-marks example (bench.mutants.Edit): the changed functions
stay correct, so the graded file must still get 48 + 10. `items` names the items the form is
about (documentation; the test checks that NO item loses a point).

A form the rubric deliberately refuses is not here: 1.c asks for σ' "en utilisant seulement la
fonction σ", so exp/cosh forms of σ' lose 1.c's form points (bench/mutants.py, 1c_exp_form),
while the same forms earn full marks in 2.n ("sous la forme de votre choix").
"""
from bench.mutants import Edit, M


def F(name, items, *changes, why=""):
    """A form that changes several functions: F(name, items, (function, change), ...)."""
    return Edit(name, tuple(changes), frozenset([items] if isinstance(items, str) else items), why)


HELPER_JACOBIAN = (
    "def _jacobienne(S):\n"
    "    return diag(S) - S @ S.T\n\n\n"
    "def q1k_jacobienne_softmax(S):\n"
    "    return _jacobienne(S)\n")

FORMS = [
    # ---- 1.a sign, still only indicators (written differently, right at 0)
    M("1a_negated_condition", "q1a_signe", "return indicatrice(x > 0) - indicatrice(-x > 0)", "1.a"),
    M("1a_three_indicators", "q1a_signe",
      "return 2 * indicatrice(x > 0) - 1 + indicatrice(x >= 0) * indicatrice(x <= 0)", "1.a"),
    M("1a_one_minus", "q1a_signe", "return 1 - indicatrice(x <= 0) - indicatrice(x < 0)", "1.a"),
    M("1a_zero_on_the_left", "q1a_signe", "return indicatrice(0 < x) - indicatrice(0 > x)", "1.a"),
    M("1a_numpy_comparisons", "q1a_signe",
      "return indicatrice(np.greater(x, 0)) - indicatrice(np.less(x, 0))", "1.a"),
    M("1a_weighted", "q1a_signe", "return 1 * indicatrice(x > 0) + (-1) * indicatrice(x < 0)", "1.a"),
    # ---- 1.b ReLU': any value of [0, 1] at 0
    M("1b_one_at_zero", "q1b_derivee_relu", "return indicatrice(x >= 0)", "1.b"),
    M("1b_heaviside", "q1b_derivee_relu", "return heaviside(x)", "1.b"),
    M("1b_half_at_zero", "q1b_derivee_relu", "return (indicatrice(x > 0) + indicatrice(x >= 0)) / 2", "1.b"),
    M("1b_boolean_times_one", "q1b_derivee_relu", "return (x > 0) * 1.0", "1.b"),
    M("1b_np_where", "q1b_derivee_relu", "return np.where(x > 0, 1.0, 0.0)", "1.b"),
    M("1b_np_heaviside", "q1b_derivee_relu", "return np.heaviside(x, 0.0)", "1.b"),
    M("1b_python_if", "q1b_derivee_relu", "if x > 0:\n    return 1.0\nreturn 0.0", "1.b",
      "a scalar if: the batch call fails and the grader calls it point by point"),
    # ---- 1.c σ' with σ only
    M("1c_sigma_sigma_minus", "q1c_derivee_sigmoide", "return sigma(x) * sigma(-x)", "1.c"),
    M("1c_sigma_minus_square", "q1c_derivee_sigmoide", "return sigma(x) - sigma(x) ** 2", "1.c"),
    M("1c_factors_swapped", "q1c_derivee_sigmoide", "return (1 - sigma(x)) * sigma(x)", "1.c"),
    M("1c_even_function", "q1c_derivee_sigmoide", "return sigma(-x) * (1 - sigma(-x))", "1.c"),
    M("1c_outils_module", "q1c_derivee_sigmoide", "import outils\ns = outils.sigmoide(x)\nreturn s * (1 - s)", "1.c"),
    # ---- 1.d / 1.e derivations with other valid steps
    M("1d_other_steps", "q1d_etapes",
      "return [log(sigma(x)), log(1) - log(1 + exp(-x)), -log(1 + exp(-x)), -softplus(-x)]", "1.d"),
    M("1d_via_inverse", "q1d_etapes",
      "return [log(sigma(x)), -log(1 / sigma(x)), -log(1 + exp(-x)), -softplus(-x)]", "1.d"),
    M("1d_tuple_of_steps", "q1d_etapes",
      "return [log(sigma(x)), -log(1 + exp(-x)), -softplus(-x)]", "1.d", "the shortest valid chain"),
    M("1e_factor_exp_x", "q1e_etapes",
      "return [softplus(x) - softplus(-x),\n"
      "        log(1 + exp(x)) - log(1 + exp(-x)),\n"
      "        log(exp(x) * (1 + exp(-x))) - log(1 + exp(-x)),\n"
      "        x + log(1 + exp(-x)) - log(1 + exp(-x)),\n"
      "        x]", "1.e"),
    M("1e_via_sigma", "q1e_etapes",
      "return [softplus(x) - softplus(-x), log(sigma(x)) - log(sigma(-x)), log(sigma(x) / sigma(-x)),\n"
      "        log(exp(x)), x]", "1.e", "uses 1.d: softplus(x) = -ln σ(-x)"),
    M("1d_math_e_then_1e", "q1d_etapes",
      "import math\nreturn [log(sigma(x)), log(math.e ** x / (math.e ** x + 1)), x - log(1 + exp(x)), x - softplus(x),\n"
      "        -softplus(-x)]", "1.d", "σ = e^x / (e^x + 1) spelled with math.e, then 1.e's identity"),
    M("1e_logit", "q1e_etapes",
      "return [softplus(x) - softplus(-x), log(sigma(x)) - log(1 - sigma(x)), log(sigma(x) / (1 - sigma(x))),\n"
      "        log(exp(x)), x]", "1.e", "softplus(z) = -ln σ(-z) (1.d), then the logit σ / (1 - σ) = e^x"),
    M("1e_factor_inside_second_log", "q1e_etapes",
      "return [softplus(x) - softplus(-x), log(1 + exp(x)) - log(1 + exp(-x)),\n"
      "        log(1 + exp(x)) - log(exp(-x) * (exp(x) + 1)), log(1 + exp(x)) + x - log(1 + exp(x)), x]", "1.e",
      "e^-x factored out of the second logarithm: log rules in the other order"),
    M("1e_quotient_inside_second_log", "q1e_etapes",
      "return [softplus(x) - softplus(-x), log(1 + exp(x)) - log(1 + exp(-x)),\n"
      "        log(1 + exp(x)) - log((exp(x) + 1) / exp(x)), log(exp(x)), x]", "1.e",
      "1 + e^-x = (e^x + 1) / e^x: a third path to a single logarithm"),
    # ---- 1.f / 1.g vectors in other forms
    M("1f_x_plus_x", "q1f_gradient_l2_carre", "return x + x", "1.f"),
    M("1f_loop", "q1f_gradient_l2_carre",
      "out = np.zeros_like(x)\nfor i in range(x.shape[0]):\n    out[i, 0] = 2 * x[i, 0]\nreturn out", "1.f"),
    M("1f_one_dimensional", "q1f_gradient_l2_carre", "return 2 * x.ravel()", "1.f"),
    M("1f_list", "q1f_gradient_l2_carre", "return [2 * v for v in x.ravel()]", "1.f"),
    M("1f_nested_list", "q1f_gradient_l2_carre", "return (2 * x).tolist()", "1.f", "a column as a list of rows"),
    M("1g_np_sign", "q1g_gradient_l1", "return np.sign(x)", "1.g"),
    M("1g_minus_one_at_zero", "q1g_gradient_l1", "return indicatrice(x > 0) - indicatrice(x <= 0)", "1.g",
      "a subgradient: any value of [-1, 1] at a zero component"),
    M("1g_half_at_zero", "q1g_gradient_l1",
      "return np.where(x > 0, 1.0, np.where(x < 0, -1.0, 0.5))", "1.g"),
    M("1g_heaviside", "q1g_gradient_l1", "return 2 * heaviside(x) - 1", "1.g"),
    M("1g_loop_with_if", "q1g_gradient_l1",
      "g = []\nfor v in x.ravel():\n    if v > 0:\n        g.append(1.0)\n    elif v < 0:\n        g.append(-1.0)\n"
      "    else:\n        g.append(0.0)\nreturn np.array(g).reshape(-1, 1)", "1.g"),
    # ---- 1.h other counterexamples
    M("1h_c_zero", "q1h_contre_exemple", "return [0.0, 1.0], 0.0", "1.h", "c = 0 is allowed (c >= 0)"),
    M("1h_numpy_three", "q1h_contre_exemple", "return np.array([1.0, 2.0, 3.0]), 10", "1.h"),
    M("1h_integers_tuple", "q1h_contre_exemple", "return (1, 2), 3", "1.h"),
    M("1h_float64_cannot_tell", "q1h_contre_exemple", "return [0.0, 1000.0], 3.0", "1.h",
      "S(3x) and S(x) are equal in float64 but not in the reals (c != 1, x not constant)"),
    M("1h_tiny_gap", "q1h_contre_exemple", "return [0.0, 1e-9], 2.0", "1.h"),
    M("1h_column", "q1h_contre_exemple", "return np.array([[0.0], [1.0]]), 0.5", "1.h"),
    # ---- 1.i / 1.j derivations written differently
    M("1i_definition_start", "q1i_etapes",
      "return [exp(x[i] + c) / somme(exp(x + c)),\n"
      "        exp(x[i]) * exp(c) / somme(exp(x) * exp(c)),\n"
      "        exp(x[i]) / somme(exp(x))]", "1.i"),
    M("1i_python_sum", "q1i_etapes",
      "Zc = sum(exp(x[k] + c) for k in range(3))\nZ = sum(exp(x[k]) for k in range(3))\n"
      "return [softmax(x + c)[i], exp(x[i] + c) / Zc, exp(c) * exp(x[i]) / (exp(c) * Z), softmax(x)[i]]", "1.i"),
    M("1j_kronecker_if", "q1j_etapes",
      "Z = somme(exp(x))\nS = softmax(x)\nd = 1 if i == j else 0\n"
      "return [(d * exp(x[i]) * Z - exp(x[i]) * exp(x[j])) / Z ** 2,\n"
      "        d * exp(x[i]) / Z - exp(x[i]) * exp(x[j]) / Z ** 2,\n"
      "        S[i] * d - S[i] * S[j]]", "1.j"),
    M("1j_factored_end", "q1j_etapes",
      "Z = somme(exp(x))\nS = softmax(x)\n"
      "return [(indicatrice(i == j) * exp(x[i]) * Z - exp(x[i]) * exp(x[j])) / Z ** 2,\n"
      "        exp(x[i]) / Z * (indicatrice(i == j) - exp(x[j]) / Z),\n"
      "        S[i] * (indicatrice(i == j) - S[j])]", "1.j"),
    M("1i_terse_end_unfolded", "q1i_etapes",
      "return [softmax(x + c)[i], exp(c) * exp(x[i]) / (exp(c) * somme(exp(x))), exp(x[i]) / somme(exp(x))]", "1.i",
      "the cancellation right after the start, the end written by its definition"),
    M("1i_exponent_difference", "q1i_etapes",
      "return [softmax(x + c)[i], 1 / somme(exp(x + c - (x[i] + c))), 1 / somme(exp(x - x[i])), softmax(x)[i]]",
      "1.i", "divided by e^{x_i + c}: c cancels inside the exponents"),
    M("1i_divided_by_exp_c", "q1i_etapes",
      "num, den = exp(x[i] + c), somme(exp(x + c))\n"
      "return [num / den, (num / exp(c)) / (den / exp(c)), exp(x[i]) / somme(exp(x)), softmax(x)[i]]",
      "1.i", "numerator and denominator divided by e^c; e^{x_k + c} / e^c = e^{x_k} is the next step"),
    M("1i_log_sum_exp", "q1i_etapes",
      "return [softmax(x + c)[i], exp(x[i] + c - log(somme(exp(x + c)))),\n"
      "        exp(x[i] + c - log(exp(c) * somme(exp(x)))), exp(x[i] - log(somme(exp(x)))), softmax(x)[i]]",
      "1.i", "S as exp(x_i - log Σ e^{x_k}): e^c out of the logarithm, then c - c"),
    M("1j_product_rule", "q1j_etapes",
      "Z = somme(exp(x))\nS = softmax(x)\nd = indicatrice(i == j)\n"
      "return [d * exp(x[i]) * Z ** -1 + exp(x[i]) * (-Z ** -2) * exp(x[j]),\n"
      "        exp(x[i]) / Z * (d - exp(x[j]) / Z), S[i] * (d - S[j])]",
      "1.j", "e^{x_i} Z^-1 by the product rule: its start is the answer over Z², the next step is real"),
    M("1j_log_derivative", "q1j_etapes",
      "Z = somme(exp(x))\nS = softmax(x)\nd = indicatrice(i == j)\n"
      "return [exp(x[i] - log(Z)) * (d - exp(x[j]) / Z), d * exp(x[i]) / Z - exp(x[i]) * exp(x[j]) / Z ** 2,\n"
      "        S[i] * d - S[i] * S[j]]",
      "1.j", "∂S_i/∂x_j = S_i ∂(x_i - log Z)/∂x_j"),
    M("1j_per_case", "q1j_etapes",
      "Z = somme(exp(x))\nS = softmax(x)\n"
      "if i == j:\n"
      "    return [(exp(x[i]) * Z - exp(x[i]) ** 2) / Z ** 2, exp(x[i]) / Z - (exp(x[i]) / Z) ** 2, S[i] - S[i] ** 2]\n"
      "return [-exp(x[i] + x[j]) / Z ** 2, -(exp(x[i]) / Z) * (exp(x[j]) / Z), -S[i] * S[j]]",
      "1.j", "i = j and i != j written apart"),
    M("1j_numerator_factored", "q1j_etapes",
      "Z = somme(exp(x))\nS = softmax(x)\nd = indicatrice(i == j)\n"
      "return [exp(x[i]) * (d * Z - exp(x[j])) / Z ** 2, exp(x[i]) / Z * (d - exp(x[j]) / Z), S[i] * (d - S[j])]",
      "1.j", "the quotient rule with e^{x_i} factored out of its numerator"),
    M("1j_numpy_z_times_z", "q1j_etapes",
      "Z = np.sum(np.exp(x))\nd = 1.0 if i == j else 0.0\n"
      "return [(d * np.exp(x[i]) * Z - np.exp(x[i]) * np.exp(x[j])) / (Z * Z),\n"
      "        d * np.exp(x[i]) / Z - (np.exp(x[i]) / Z) * (np.exp(x[j]) / Z),\n"
      "        softmax(x)[i] * d - softmax(x)[i] * softmax(x)[j]]", "1.j", "numpy, Z * Z, a Python if for the indicator"),
    # ---- 1.k Jacobian with diag
    M("1k_outer", "q1k_jacobienne_softmax", "return diag(S) - np.outer(S, S)", "1.k"),
    M("1k_np_diag_of_flat", "q1k_jacobienne_softmax", "return np.diag(S.ravel()) - S @ S.T", "1.k"),
    M("1k_diag_times", "q1k_jacobienne_softmax", "return diag(S) @ (np.eye(S.shape[0]) - S.T)", "1.k"),
    M("1k_loops", "q1k_jacobienne_softmax",
      "J = diag(S)\nfor i in range(S.shape[0]):\n    for j in range(S.shape[0]):\n"
      "        J[i, j] -= S[i, 0] * S[j, 0]\nreturn J", "1.k"),
    M("1k_diagflat", "q1k_jacobienne_softmax", "return np.diagflat(S) - S @ S.T", "1.k",
      "numpy's diagflat builds diag(S) from a column"),
    M("1k_stub_then_redefined", "q1k_jacobienne_softmax",
      (r"(?s)\Adef q1k_jacobienne_softmax.*\Z",
       "def q1k_jacobienne_softmax(S):\n    raise NotImplementedError\n\n\n"
       "def q1k_jacobienne_softmax(S):\n    return np.diag(S.ravel()) - S @ S.T\n"), "1.k",
      "Python keeps the last def: the diag check must read that one"),
    M("1k_helper", "q1k_jacobienne_softmax", (r"(?s)\Adef q1k_jacobienne_softmax.*\Z", HELPER_JACOBIAN), "1.k",
      "diag used in a module-level helper that the function calls"),
    # ---- 1.l
    M("1l_loop", "q1l_gradient_log_softmax",
      "g = J[i].astype(float).copy()\nfor j in range(J.shape[0]):\n    g = g - S[j, 0] * J[j]\nreturn g", "1.l"),
    M("1l_einsum", "q1l_gradient_log_softmax", 'return J[i] - np.einsum("j,jp->p", S[:, 0], J)', "1.l"),
    M("1l_one_dimensional", "q1l_gradient_log_softmax", "return J[i] - S.ravel() @ J", "1.l"),
    M("1l_dot", "q1l_gradient_log_softmax", "return J[i].reshape(-1, 1) - np.dot(J.T, S)", "1.l"),
    # ---- 2.a
    M("2a_b1_one_dimensional", "q2a_dimension_b1", "return (d_h,)", "2.a"),
    M("2a_b1_list", "q2a_dimension_b1", "return [d_h, 1]", "2.a"),
    M("2a_einsum", "q2a_preactivation", 'return np.einsum("jk,k->j", W1, x[:, 0]) + b1[:, 0]', "2.a"),
    M("2a_dot", "q2a_preactivation", "return np.dot(W1, x) + b1", "2.a"),
    M("2a_loop", "q2a_preactivation",
      "h = np.zeros((W1.shape[0], 1))\nfor j in range(W1.shape[0]):\n"
      "    h[j, 0] = sum(W1[j, k] * x[k, 0] for k in range(W1.shape[1])) + b1[j, 0]\nreturn h", "2.a"),
    M("2a_hj_row_product", "q2a_preactivation_j", "return W1[j] @ x[:, 0] + b1[j, 0]", "2.a"),
    M("2a_hj_vectorised", "q2a_preactivation_j", "return (W1 @ x + b1)[j, 0]", "2.a"),
    M("2a_hj_one_element_array", "q2a_preactivation_j", "return W1[j] @ x + b1[j]", "2.a"),
    M("2a_hs_np_exp", "q2a_sortie_cachee", "return 1 / (1 + np.exp(-ha))", "2.a"),
    M("2a_hs_tanh", "q2a_sortie_cachee", "return (1 + np.tanh(ha / 2)) / 2", "2.a"),
    # ---- 2.b
    M("2b_dims_one_dimensional", "q2b_dimensions", 'return {"W2": (m, d_h), "b2": (m,)}', "2.b"),
    M("2b_dims_keys_and_lists", "q2b_dimensions", 'return {"w2": [m, d_h], "B2": [m, 1]}', "2.b"),
    M("2b_loop", "q2b_activation_sortie",
      "o = np.zeros((W2.shape[0], 1))\nfor k in range(W2.shape[0]):\n"
      "    o[k, 0] = sum(W2[k, j] * hs[j, 0] for j in range(W2.shape[1])) + b2[k, 0]\nreturn o", "2.b"),
    M("2b_oak_row_product", "q2b_activation_sortie_k", "return W2[k] @ hs[:, 0] + b2[k, 0]", "2.b"),
    # ---- 2.c
    M("2c_numpy", "q2c_softmax", "e = np.exp(oa - oa.max())\nreturn e / e.sum()", {"2.c", "2.i"}),
    M("2c_one_dimensional", "q2c_softmax", "e = np.exp(oa.ravel() - np.max(oa))\nreturn (e / e.sum()).reshape(-1, 1)",
      {"2.c", "2.i"}),
    M("2c_log_domain", "q2c_softmax",
      "c = np.max(oa)\nreturn exp(oa - c - log(somme(exp(oa - c))))", {"2.c", "2.i"}),
    M("2c_letters_as_string", "q2c_pourquoi", 'return " e, a, b "', "2.c"),
    M("2c_letters_as_set", "q2c_pourquoi", 'return {"B", "e", "A"}', "2.c"),
    # ---- 2.d the ½ convention, consistently; other forms
    F("2d_half_convention", "2.d", ("q2d_perte_mse", "return 0.5 * (sigma(oa) - y) ** 2"),
      ("q2d_derivee_mse", "return (sigma(oa) - y) * sigma(oa) * (1 - sigma(oa))")),
    M("2d_y_minus_sigma", "q2d_perte_mse", "return (y - sigma(oa)) ** 2", "2.d"),
    M("2d_derivative_sigma_minus", "q2d_derivee_mse", "return 2 * (sigma(oa) - y) * sigma(oa) * sigma(-oa)", "2.d"),
    M("2d_derivative_exp", "q2d_derivee_mse", "return 2 * (sigma(oa) - y) * np.exp(-oa) / (1 + np.exp(-oa)) ** 2",
      "2.d"),
    # ---- 2.e stable CE written with numpy
    M("2e_logaddexp", "q2e_perte_ce", "return y * np.logaddexp(0, -oa) + (1 - y) * np.logaddexp(0, oa)", "2.e"),
    M("2e_max_form", "q2e_perte_ce", "return np.maximum(oa, 0) - y * oa + np.log1p(np.exp(-np.abs(oa)))", "2.e"),
    M("2e_derivative_split", "q2e_derivee_ce", "return -y * (1 - sigma(oa)) + (1 - y) * sigma(oa)", "2.e"),
    M("2f_floats_and_case", "q2f_limites",
      'return {"mse": [[0.0, 0.0], [0.0, 0.0]], "ce": [[0.0, 1.0], [-1.0, 0.0]], "meilleure": "CE"}', "2.f"),
    M("2f_numpy_tables", "q2f_limites",
      'return {"mse": np.zeros((2, 2)), "ce": np.array([[0, 1], [-1, 0]]), "meilleure": "ce"}', "2.f"),
    M("2f_tuples", "q2f_limites", 'return {"mse": ((0, 0), (0, 0)), "ce": ((0, 1), (-1, 0)), "meilleure": "ce"}',
      "2.f"),
    M("2f_flat_four", "q2f_limites", 'return {"mse": [0, 0, 0, 0], "ce": [0, 1, -1, 0], "meilleure": "ce"}', "2.f"),
    # ---- 2.g / 2.h
    M("2g_numpy", "q2g_perte", "m = oa.max()\nreturn float(m + np.log(np.exp(oa - m).sum()) - oa[y, 0])", "2.g"),
    M("2g_one_dimensional", "q2g_perte",
      "o = oa.ravel()\nc = o.max()\nreturn c + np.log(np.sum(np.exp(o - c))) - o[y]", "2.g"),
    M("2h_vectorised", "q2h_risque_empirique",
      "H = sigma(X @ W1.T + b1.T)\nO = H @ W2.T + b2.T\nc = O.max(axis=1, keepdims=True)\n"
      "L = c[:, 0] + np.log(np.exp(O - c).sum(axis=1)) - O[np.arange(len(Y)), Y]\nreturn L.mean()", "2.h"),
    M("2h_names_any_order", "q2h_parametres", 'return ("b2", "W2", "b1", "w1")', "2.h"),
    M("2h_count_factored", "q2h_nombre_parametres", "return d_h * (d + 1) + m * (d_h + 1)", "2.h"),
    M("2h_letters_lowercase", "q2h_probleme", 'return ["g", "c", "a"]', "2.h"),
    M("2h_letters_tuple", "q2h_probleme", 'return ("A", "C", "G", "A")', "2.h"),
    M("2f_choice_punctuated", "q2f_limites",
      'return {"mse": [[0, 0], [0, 0]], "ce": [[0, 1], [-1, 0]], "meilleure": "CE."}', "2.f"),
    # ---- 2.i
    M("2i_eye_column", "q2i_gradient_oa", "return os - np.eye(os.shape[0])[:, [y]]", "2.i"),
    M("2i_one_dimensional", "q2i_gradient_oa", "return os.ravel() - np.eye(len(os))[y]", "2.i"),
    M("2i_loop", "q2i_gradient_oa",
      "g = os.copy()\nfor k in range(os.shape[0]):\n    if k == y:\n        g[k, 0] -= 1\nreturn g", "2.i"),
    M("2i_oak_from_exp", "q2i_derivee_oa_k",
      "e = np.exp(oa - oa.max())\nreturn e[k, 0] / e.sum() - (k == y)", "2.i"),
    # ---- 2.j / 2.k
    M("2j_from_matrix", "q2j_derivee_W2_kj", "return (grad_oa @ hs.T)[k, j]", "2.j"),
    M("2j_b2_float", "q2j_derivee_b2_k", "return float(grad_oa[k])", "2.j"),
    M("2k_outer", "q2k_gradient_W2", "return np.outer(grad_oa, hs)", "2.k"),
    M("2k_broadcast", "q2k_gradient_W2", "return grad_oa * hs.T", "2.k"),
    M("2k_einsum", "q2k_gradient_W2", 'return np.einsum("k,j->kj", grad_oa[:, 0], hs[:, 0])', "2.k"),
    M("2k_dot", "q2k_gradient_W2", "return np.dot(grad_oa, hs.T)", "2.k"),
    M("2k_loops", "q2k_gradient_W2",
      "G = np.zeros((grad_oa.shape[0], hs.shape[0]))\nfor k in range(G.shape[0]):\n    for j in range(G.shape[1]):\n"
      "        G[k, j] = grad_oa[k, 0] * hs[j, 0]\nreturn G", "2.k"),
    M("2k_b2_one_dimensional", "q2k_gradient_b2", "return grad_oa.ravel()", "2.k"),
    M("2k_dims_one_dimensional", "q2k_dimensions",
      'return {"grad_oa": (m,), "hs": (d_h,), "grad_W2": (m, d_h), "grad_b2": (m,)}', "2.k"),
    # ---- 2.l / 2.m
    M("2l_vectorised", "q2l_derivee_hs_j", "return (W2.T @ grad_oa)[j, 0]", "2.l"),
    M("2l_dot", "q2l_derivee_hs_j", "return np.dot(W2[:, j], grad_oa[:, 0])", "2.l"),
    M("2m_dot", "q2m_gradient_hs", "return np.dot(W2.T, grad_oa)", "2.m"),
    M("2m_transpose_of_row", "q2m_gradient_hs", "return (grad_oa.T @ W2).T", "2.m"),
    M("2m_einsum", "q2m_gradient_hs", 'return np.einsum("kj,k->j", W2, grad_oa[:, 0])', "2.m"),
    # ---- 2.n σ' in any form (overflowing forms are rescued symbolically)
    M("2n_exp_form", "q2n_derivee_sigma", "return exp(-z) / (1 + exp(-z)) ** 2", "2.n"),
    M("2n_cosh", "q2n_derivee_sigma", "return 1 / (4 * cosh(z / 2) ** 2)", "2.n"),
    M("2n_sigma_sigma_minus", "q2n_derivee_sigma", "return sigma(z) * sigma(-z)", "2.n"),
    M("2n_np_exp", "q2n_derivee_sigma", "return np.exp(-z) / (1 + np.exp(-z)) ** 2", "2.n"),
    M("2n_tanh", "q2n_derivee_sigma", "return (1 - np.tanh(z / 2) ** 2) / 4", "2.n"),
    M("2n_exp_plus", "q2n_derivee_sigma", "return exp(z) / (1 + exp(z)) ** 2", "2.n"),
    M("2n_reuses_derivative", "q2n_derivee_ha_j", "return grad_hs[j, 0] * q2n_derivee_sigma(ha[j, 0])", "2.n"),
    M("2n_ha_j_np_exp", "q2n_derivee_ha_j",
      "return grad_hs[j, 0] * np.exp(-ha[j, 0]) / (1 + np.exp(-ha[j, 0])) ** 2", "2.n"),
    # ---- 2.o
    M("2o_diag", "q2o_gradient_ha", "return diag(sigma(ha) * (1 - sigma(ha))) @ grad_hs", "2.o"),
    M("2o_multiply", "q2o_gradient_ha", "return np.multiply(grad_hs, q2n_derivee_sigma(ha))", "2.o"),
    M("2o_one_dimensional", "q2o_gradient_ha", "s = sigma(ha.ravel())\nreturn grad_hs.ravel() * s * (1 - s)", "2.o"),
    M("2o_loop", "q2o_gradient_ha",
      "g = np.zeros_like(grad_hs)\nfor j in range(g.shape[0]):\n"
      "    g[j, 0] = q2n_derivee_ha_j(grad_hs, ha, j)\nreturn g", "2.o"),
    # ---- issue 20: calculus answers are exact formulas, read however they are written with numpy
    # (every form below is traced: loops filling np.zeros, in-place updates, `if` on a symbol,
    # float(...) of a formula, np.asarray(..., dtype=float), astype, einsum, outer, diag)
    M("2o_np_diag_of_flat", "q2o_gradient_ha", "s = sigma(ha)\nreturn np.diag((s * (1 - s)).ravel()) @ grad_hs",
      "2.o"),
    M("2o_einsum", "q2o_gradient_ha",
      's = sigma(ha[:, 0])\nreturn np.einsum("j,j->j", grad_hs[:, 0], s * (1 - s)).reshape(-1, 1)', "2.o"),
    M("2o_loop_np_zeros", "q2o_gradient_ha",
      "g = np.zeros((ha.shape[0], 1))\nfor j in range(ha.shape[0]):\n    s = sigma(ha[j, 0])\n"
      "    g[j, 0] = grad_hs[j, 0] * s * (1 - s)\nreturn g", "2.o"),
    M("2o_list_comprehension", "q2o_gradient_ha",
      "return np.array([[q2n_derivee_ha_j(grad_hs, ha, j)] for j in range(len(ha))])", "2.o"),
    M("2o_in_place", "q2o_gradient_ha", "g = grad_hs.copy()\ng *= sigma(ha)\ng *= 1 - sigma(ha)\nreturn g", "2.o"),
    M("2o_in_place_out", "q2o_gradient_ha",
      "g = np.zeros(ha.shape)\ng += grad_hs\nnp.multiply(g, sigma(ha) * sigma(-ha), out=g)\nreturn g", "2.o"),
    M("2o_np_exp", "q2o_gradient_ha", "return grad_hs * np.exp(-ha) / (1 + np.exp(-ha)) ** 2", "2.o"),
    M("2o_stable_where", "q2o_gradient_ha",
      "s = np.where(ha >= 0, 1 / (1 + np.exp(-ha)), np.exp(ha) / (1 + np.exp(ha)))\nreturn grad_hs * s * (1 - s)",
      "2.o"),
    M("2o_diagflat_dot", "q2o_gradient_ha", "s = sigma(ha)\nreturn np.dot(np.diagflat(s * (1 - s)), grad_hs)", "2.o"),
    M("2o_asarray_float", "q2o_gradient_ha",
      "ha = np.asarray(ha, dtype=float)\ng = np.array(grad_hs, dtype=float)\nreturn g * sigma(ha) * (1 - sigma(ha))",
      "2.o"),
    M("2o_astype", "q2o_gradient_ha", "return grad_hs.astype(float) * q2n_derivee_sigma(ha.astype(np.float64))", "2.o"),
    M("2o_empty_like_filled", "q2o_gradient_ha",
      "g = np.empty_like(ha)\nfor j in range(len(ha)):\n    g[j] = q2n_derivee_ha_j(grad_hs, ha, j)\nreturn g", "2.o"),
    M("2o_float_in_loop", "q2o_gradient_ha",
      "g = np.zeros(ha.shape)\nfor j in range(ha.shape[0]):\n"
      "    g[j, 0] = float(grad_hs[j, 0] * q2n_derivee_sigma(ha[j, 0]))\nreturn g", "2.o"),
    M("2o_eye_broadcast", "q2o_gradient_ha", "s = sigma(ha)\nreturn (np.eye(len(ha)) * (s * (1 - s))) @ grad_hs",
      "2.o"),
    M("2o_tanh", "q2o_gradient_ha", "return grad_hs * (1 - np.tanh(ha / 2) ** 2) / 4", "2.o"),
    M("2o_python_list_of_rows", "q2o_gradient_ha",
      "return [[grad_hs[j, 0] * sigma(ha[j, 0]) * sigma(-ha[j, 0])] for j in range(ha.shape[0])]", "2.o"),
    M("2n_ha_j_from_vector", "q2n_derivee_ha_j", "return (grad_hs * sigma(ha) * (1 - sigma(ha)))[j, 0]", "2.n"),
    M("2n_ha_j_float", "q2n_derivee_ha_j", "s = sigma(ha[j, 0])\nreturn float(grad_hs[j, 0] * s * (1 - s))", "2.n"),
    M("2n_ha_j_item", "q2n_derivee_ha_j", "s = sigma(ha[j])\nreturn (grad_hs[j] * s * (1 - s)).item()", "2.n"),
    M("2n_ha_j_diag", "q2n_derivee_ha_j",
      "D = diag(sigma(ha) * (1 - sigma(ha)))\nreturn (D @ grad_hs)[j, 0]", "2.n"),
    M("2n_sigma_if_stable", "q2n_derivee_sigma",
      "if z >= 0:\n    e = np.exp(-z)\nelse:\n    e = np.exp(z)\nreturn e / (1 + e) ** 2", "2.n",
      "an `if` on z: both sides are read"),
    M("2n_sigma_e_power", "q2n_derivee_sigma", "return np.e ** (-z) / (1 + np.e ** (-z)) ** 2", "2.n"),
    M("2n_sigma_log_domain", "q2n_derivee_sigma", "return np.exp(-np.logaddexp(0, -z) - np.logaddexp(0, z))", "2.n"),
    M("2i_oak_loop_sum", "q2i_derivee_oa_k",
      "c = np.max(oa)\ntotal = 0.0\nfor j in range(oa.shape[0]):\n    total = total + np.exp(oa[j, 0] - c)\n"
      "return np.exp(oa[k, 0] - c) / total - (1.0 if k == y else 0.0)", "2.i"),
    M("2i_oak_builtin_max", "q2i_derivee_oa_k",
      "o = oa.ravel()\ne = np.exp(o - max(o))\nreturn float(e[k] / e.sum()) - float(k == y)", "2.i",
      "Python's max: every `if` of its comparisons is read"),
    M("2i_oak_onehot", "q2i_derivee_oa_k", "return (softmax(oa) - onehot(y, oa.shape[0]))[k, 0]", "2.i"),
    M("2i_oak_log_domain", "q2i_derivee_oa_k",
      "lse = np.max(oa) + np.log(np.sum(np.exp(oa - np.max(oa))))\nreturn np.exp(oa[k, 0] - lse) - (k == y)", "2.i"),
    M("1k_einsum", "q1k_jacobienne_softmax", 's = S[:, 0]\nreturn diag(S) - np.einsum("i,j->ij", s, s)', "1.k"),
    M("1k_zeros_loops", "q1k_jacobienne_softmax",
      "n = S.shape[0]\nJ = np.zeros((n, n))\nfor i in range(n):\n    for j in range(n):\n"
      "        J[i, j] = S[i, 0] * (float(i == j) - S[j, 0])\nreturn J + 0 * diag(S)", "1.k"),
    M("1k_broadcast", "q1k_jacobienne_softmax", "return diag(S) - S * S.T", "1.k"),
    M("1k_sum_constraint", "q1k_jacobienne_softmax",
      "J = -(S @ S.T)\nfor i in range(S.shape[0]):\n    J[i, i] = S[i, 0] * (S.sum() - S[i, 0])\nreturn J + 0 * diag(S)",
      "1.k", "uses sum(S) = 1: exact on the simplex, where the grader evaluates it"),
    M("1c_sigma_if", "q1c_derivee_sigmoide", "s = sigma(x)\nif s > 0.5:\n    return s * (1 - s)\nreturn s * sigma(-x)",
      "1.c"),
    M("1c_float", "q1c_derivee_sigmoide", "return float(sigma(x) * (1 - sigma(x))) if np.ndim(x) == 0 else "
      "sigma(x) * (1 - sigma(x))", "1.c"),
    M("1b_sign", "q1b_derivee_relu", "return (np.sign(x) + 1) / 2", "1.b"),
    M("1b_relu_over_x", "q1b_derivee_relu", "return np.where(x != 0, relu(x) / np.where(x != 0, x, 1), 0.0)", "1.b"),
    M("1b_maximum_sign", "q1b_derivee_relu", "return np.maximum(np.sign(x), 0)", "1.b"),
    M("1g_x_over_abs", "q1g_gradient_l1", "return np.where(x == 0, 0.0, x / np.where(x == 0, 1.0, np.abs(x)))",
      "1.g"),
    M("1g_guarded_quotient", "q1g_gradient_l1", "return x / (np.abs(x) + 1e-300)", "1.g",
      "a stability guard in a denominator is read as 0"),
    M("1g_list_loop_zeros", "q1g_gradient_l1",
      "g = np.zeros(x.shape)\nfor i in range(x.shape[0]):\n    g[i, 0] = indicatrice(x[i, 0] > 0) - indicatrice(x[i, 0] < 0)\n"
      "return g", "1.g"),
    M("1g_np_select", "q1g_gradient_l1", "return np.select([x > 0, x < 0], [1.0, -1.0], 0.0)", "1.g"),
    M("1g_copysign", "q1g_gradient_l1", "return np.where(x == 0, 0.0, np.copysign(1.0, x))", "1.g"),
    M("1g_sign_as_int", "q1g_gradient_l1", "return np.sign(x).astype(int)", "1.g"),
    M("1b_vectorize_if", "q1b_derivee_relu", "return np.vectorize(lambda v: 1.0 if v > 0 else 0.0)(x)", "1.b",
      "np.vectorize of the student's own function: its `if` is read both ways"),
    M("2d_derivative_chain", "q2d_derivee_mse",
      "s = sigma(oa)\ndL_ds = 2 * (s - y)\nds_do = s * (1 - s)\nreturn dL_ds * ds_do", "2.d"),
    M("2e_derivative_through_the_chain", "q2e_derivee_ce",
      "s = sigma(oa)\nreturn (-y / s + (1 - y) / (1 - s)) * s * (1 - s)", "2.e"),
    M("2e_derivative_guarded", "q2e_derivee_ce",
      "s = sigma(oa)\nreturn (s - y) * s * (1 - s) / (s * (1 - s) + 1e-30)", "2.e",
      "an additive stability guard in the denominator is read as 0"),
    M("2e_derivative_clip", "q2e_derivee_ce", "return np.clip(sigma(oa), 1e-15, 1 - 1e-15) - y", "2.e"),
    M("2e_derivative_if_y", "q2e_derivee_ce", "if y == 1:\n    return sigma(oa) - 1\nreturn sigma(oa)", "2.e"),
    # ---- 3.a the floor written differently
    M("3a_int_of_division", "q3_taille_sortie", "return int((n + 2 * p - d * (k - 1) - 1) / s) + 1", "3.a"),
    M("3a_math_floor", "q3_taille_sortie", "import math\nreturn math.floor((n + 2 * p - d * (k - 1) - 1) / s) + 1",
      "3.a"),
    M("3a_ceil_of_span", "q3_taille_sortie", "import math\nreturn math.ceil((n + 2 * p - d * (k - 1)) / s)", "3.a",
      "ceil((N - K + 1) / s) = floor((N - K) / s) + 1 for integers"),
    M("3a_np_floor", "q3_taille_sortie", "return int(np.floor((n + 2 * p - d * (k - 1) - 1) / s)) + 1", "3.a"),
    M("3a_effective_kernel", "q3_taille_sortie", "k_eff = d * (k - 1) + 1\nreturn (n + 2 * p - k_eff) // s + 1", "3.a"),
    M("3a_float_result", "q3_taille_sortie", "return float((n + 2 * p - d * (k - 1) - 1) // s + 1)", "3.a"),
    M("3a_shapes_computed", "q3a_formes",
      "h1 = q3_taille_sortie(128, 8, 2, 0, 1)\nh2 = q3_taille_sortie(h1, 5, 5, 0, 1)\n"
      "h3 = q3_taille_sortie(h2, 4, 1, 1, 1)\n"
      'return {"couche1": [32, h1, h1], "couche2": [32, h2, h2], "couche3": [128, h3, h3],\n'
      '        "total": float(128 * h3 * h3)}', "3.a"),
    # ---- 3.b
    M("3b_formula_order", "q3b_nombre_parametres_conv", "return k * k * c_in * c_out", "3.b"),
    M("3b_number_computed", "q3b_parametres_derniere_couche", "return q3b_nombre_parametres_conv(32, 128, 4)", "3.b"),
    # ---- 3.c-e: every valid (k, s, p, d), in any honest form
    M("3c_tuples_descending", "q3c_configurations",
      "return [(k, s, 0, 1) for k in range(n, 0, -1) for s in range(n, 0, -1)\n"
      "        if (n - k) // s + 1 == n_sortie]", "3.c"),
    M("3c_set_of_tuples", "q3c_configurations",
      "return {(k, s, 0, 1) for k in range(1, n + 1) for s in range(1, n + 1)\n"
      "        if q3_taille_sortie(n, k, s, 0, 1) == n_sortie}", "3.c"),
    M("3c_floats_and_duplicates", "q3c_configurations",
      "c = [{\"k\": float(k), \"s\": float(s), \"p\": 0.0, \"d\": 1.0} for k in range(1, n + 1)\n"
      "     for s in range(1, n + 1) if q3_taille_sortie(n, k, s, 0, 1) == n_sortie]\nreturn c + c", "3.c"),
    M("3c_numpy_rows", "q3c_configurations",
      "rows = [[k, s, 0, 1] for k in range(1, n + 1) for s in range(1, n + 1)\n"
      "        if q3_taille_sortie(n, k, s, 0, 1) == n_sortie]\nreturn np.array(rows)", "3.c"),
    M("3d_effective_kernel", "q3d_configurations",
      "out = []\nfor k in range(1, 2 * n):\n    k_eff = 2 * (k - 1) + 1\n    if k_eff > n + 4:\n        break\n"
      "    for s in range(1, 2 * n):\n        if (n + 4 - k_eff) // s + 1 == n_sortie:\n"
      "            out.append({\"k\": k, \"s\": s, \"p\": 2, \"d\": 2})\nreturn out", "3.d"),
    M("3d_numpy_ints", "q3d_configurations",
      "return [{\"k\": np.int64(k), \"s\": np.int64(s), \"p\": 2, \"d\": 2} for k in range(1, n + 5)\n"
      "        for s in range(1, n + 5) if q3_taille_sortie(n, k, s, 2, 2) == n_sortie]", "3.d"),
    M("3e_upper_keys", "q3e_configurations",
      "return [{\"K\": k, \"S\": 2, \"P\": 1, \"D\": 1} for k in range(1, n + 3)\n"
      "        if (n + 2 - k) // 2 + 1 == n_sortie]", "3.e"),
]
