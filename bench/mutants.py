"""Mutation analysis of the grader: wrong submissions derived from the full-marks example.

Each mutant is one mistake students really make in this assignment, written as a textual
edit of ONE function of examples/submissions/full_marks/devoir3.py (a new body, or a regex
replacement inside that function), with the set of items that MUST lose points. A mutant is
*detected on the right items* when exactly those items lose points: every one of them loses
something and no other item loses anything. The mutation score is the share of mutants
detected on the right items; the goal is 100 %.

    python -m autograder mutants            # the whole set, 2 processes
    python -m autograder mutants -k 2.g -v  # only mutants whose name or items contain "2.g"

A mistake that the grader cannot and should not catch (the answer is still correct) is not a
mutant: it belongs to the corpus of equivalent forms (tests/equivalent_forms.py), or, when it
is worth remembering why, to EQUIVALENT below with the reason.

The same machinery grades the equivalent-forms corpus (`apply_edit`, `grade_sources`).
"""
from __future__ import annotations

import ast
import os
import re
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FULL_MARKS = REPO / "examples" / "submissions" / "full_marks" / "devoir3.py"


@dataclass(frozen=True)
class Edit:
    """Functions of the full-marks file changed: `changes` is ((function, change), ...), where a change
    is a new body (str) or (regex, replacement) applied inside that function."""
    name: str
    changes: tuple
    items: frozenset      # mutants: the items that must lose points; forms: the items concerned
    why: str = ""

    @property
    def function(self) -> str:
        return ", ".join(fn for fn, _ in self.changes)


def M(name, function, change, items, why=""):
    """A mutant (or a form) that changes one function."""
    return Edit(name, ((function, change),), frozenset([items] if isinstance(items, str) else items), why)


# ---------------------------------------------------------------------------- the mutants
# (name, function, new body or (regex, replacement), items that must lose points)
MUTANTS = [
    # ---- 1.a sign with indicators
    M("1a_zero_to_minus_one", "q1a_signe", "return indicatrice(x > 0) - indicatrice(x <= 0)", "1.a"),
    M("1a_zero_to_plus_one", "q1a_signe", "return indicatrice(x >= 0) - indicatrice(x < 0)", "1.a"),
    M("1a_two_ind_minus_one", "q1a_signe", "return 2 * indicatrice(x > 0) - 1", "1.a"),
    M("1a_swapped", "q1a_signe", "return indicatrice(x < 0) - indicatrice(x > 0)", "1.a"),
    M("1a_numpy_sign", "q1a_signe", "return np.sign(x)", "1.a", "right values, not written with indicators"),
    M("1a_heaviside", "q1a_signe", "return 2 * heaviside(x) - 1", "1.a",
      "right values (H(0) = 1/2), but Heaviside is not an indicator function"),
    M("1a_times_x", "q1a_signe", "return x * indicatrice(x > 0) - x * indicatrice(x < 0)", "1.a",
      "|x|, not sign(x)"),
    # ---- 1.b ReLU'
    M("1b_relu_itself", "q1b_derivee_relu", "return relu(x)", "1.b"),
    M("1b_two_at_zero", "q1b_derivee_relu",
      "return indicatrice(x > 0) + 2 * indicatrice(x >= 0) * indicatrice(x <= 0)", "1.b"),
    M("1b_minus_one_at_zero", "q1b_derivee_relu",
      "return indicatrice(x > 0) - indicatrice(x >= 0) * indicatrice(x <= 0)", "1.b"),
    M("1b_flipped", "q1b_derivee_relu", "return indicatrice(x < 0)", "1.b"),
    M("1b_sign", "q1b_derivee_relu", "return indicatrice(x > 0) - indicatrice(x < 0)", "1.b"),
    M("1b_constant_one", "q1b_derivee_relu", "return 1.0 + 0.0 * x", "1.b"),
    # ---- 1.c σ' with σ only
    M("1c_one_plus_sigma", "q1c_derivee_sigmoide", "return sigma(x) * (1 + sigma(x))", "1.c"),
    M("1c_sigma_squared", "q1c_derivee_sigmoide", "return sigma(x) * (1 - sigma(-x))", "1.c"),
    M("1c_minus", "q1c_derivee_sigmoide", "return -sigma(x) * (1 - sigma(x))", "1.c"),
    M("1c_sigma_of_one_minus_x", "q1c_derivee_sigmoide", "return sigma(x) * sigma(1 - x)", "1.c"),
    M("1c_exp_form", "q1c_derivee_sigmoide", "return exp(-x) / (1 + exp(-x)) ** 2", "1.c",
      "right values but not written with σ only, as 1.c asks (\"en utilisant seulement la fonction σ\")"),
    M("1c_x_outside_sigma", "q1c_derivee_sigmoide", "return sigma(x) * (1 - sigma(x)) + 0 * x", "1.c",
      "x outside σ: the form check must read the formula, not only its values"),
    # ---- 1.d ln σ(x) = -softplus(-x)
    M("1d_wrong_step", "q1d_etapes", (r"log\(1 / \(1 \+ exp\(-x\)\)\)", "log(1 / (1 + exp(x)))"), "1.d"),
    M("1d_starts_from_definition", "q1d_etapes",
      "return [log(1 / (1 + exp(-x))), -log(1 + exp(-x)), -softplus(-x)]", "1.d",
      "does not start from ln σ(x)"),
    M("1d_no_step", "q1d_etapes", "return [log(sigma(x)), -softplus(-x)]", "1.d"),
    M("1d_repeated_step", "q1d_etapes", "return [log(sigma(x)), log(sigma(x)), -softplus(-x)]", "1.d",
      "a repeated expression is not an intermediate step"),
    M("1d_stops_early", "q1d_etapes",
      "return [log(sigma(x)), log(1 / (1 + exp(-x))), -log(1 + exp(-x))]", "1.d", "never reaches -softplus(-x)"),
    M("1d_backwards", "q1d_etapes", "return [-softplus(-x), -log(1 + exp(-x)), log(sigma(x))]", "1.d"),
    M("1d_sign_slip", "q1d_etapes",
      "return [log(sigma(x)), log(1 / (1 + exp(-x))), log(1 + exp(-x)), softplus(-x)]", "1.d"),
    # ---- 1.e softplus(x) - softplus(-x) = x
    M("1e_wrong_step", "q1e_etapes",
      (r"log\(\(1 \+ exp\(x\)\) / \(1 \+ exp\(-x\)\)\)", "log((1 + exp(x)) * (1 + exp(-x)))"), "1.e"),
    M("1e_starts_with_plus", "q1e_etapes",
      "return [softplus(x) + softplus(-x), log(1 + exp(x)) - log(1 + exp(-x)), x]", "1.e"),
    M("1e_no_step", "q1e_etapes", "return [softplus(x) - softplus(-x), x]", "1.e"),
    M("1e_stops_early", "q1e_etapes",
      "return [softplus(x) - softplus(-x), log(1 + exp(x)) - log(1 + exp(-x)),\n"
      "        log((1 + exp(x)) / (1 + exp(-x)))]", "1.e",
      "never arrives at x: every expression of a true chain equals x, so only the form can tell"),
    # ---- 1.f ∇||x||²
    M("1f_no_factor_two", "q1f_gradient_l2_carre", "return x", "1.f"),
    M("1f_doubled", "q1f_gradient_l2_carre", "return 4 * x", "1.f"),
    M("1f_row_vector", "q1f_gradient_l2_carre", "return 2 * x.T", "1.f"),
    M("1f_norm_not_gradient", "q1f_gradient_l2_carre", "return somme(x * x)", "1.f"),
    # ---- 1.g ∇||x||₁
    M("1g_x_over_abs", "q1g_gradient_l1", "return x / np.abs(x)", "1.g", "nan where x_i = 0"),
    M("1g_l2_gradient", "q1g_gradient_l1", "return 2 * x", "1.g"),
    M("1g_abs", "q1g_gradient_l1", "return np.abs(x)", "1.g"),
    M("1g_positive_part", "q1g_gradient_l1", "return indicatrice(x > 0)", "1.g"),
    M("1g_two_at_zero", "q1g_gradient_l1",
      "return indicatrice(x >= 0) - indicatrice(x < 0) + indicatrice(x >= 0) * indicatrice(x <= 0)", "1.g"),
    M("1g_normalised", "q1g_gradient_l1", "return x / np.linalg.norm(x)", "1.g"),
    # ---- 1.h counterexample
    M("1h_c_is_one", "q1h_contre_exemple", "return [0.0, 1.0], 1.0", "1.h"),
    M("1h_constant_x", "q1h_contre_exemple", "return [1.0, 1.0], 2.0", "1.h"),
    M("1h_negative_c", "q1h_contre_exemple", "return [0.0, 1.0], -2.0", "1.h"),
    M("1h_one_component", "q1h_contre_exemple", "return [3.0], 2.0", "1.h"),
    # ---- 1.i S(x + c) = S(x)
    M("1i_loses_exp_c", "q1i_etapes", (r"\(exp\(c\) \* somme\(exp\(x\)\)\)", "somme(exp(x))"), "1.i"),
    M("1i_starts_without_c", "q1i_etapes",
      "return [softmax(x)[i], exp(x[i]) / somme(exp(x)), softmax(x)[i] * 1]", "1.i"),
    M("1i_starts_factored", "q1i_etapes",
      "return [exp(c) * exp(x[i]) / (exp(c) * somme(exp(x))), exp(x[i]) / somme(exp(x)), softmax(x)[i]]", "1.i",
      "starts after the step that matters (exp(x_i + c) = exp(c) exp(x_i)); equal in value to S(x + c)_i"),
    M("1i_ends_with_c", "q1i_etapes",
      "return [softmax(x + c)[i], exp(x[i] + c) / somme(exp(x + c)),\n"
      "        exp(c) * exp(x[i]) / (exp(c) * somme(exp(x)))]", "1.i"),
    M("1i_c_added_outside", "q1i_etapes",
      "return [softmax(x + c)[i], (exp(x[i]) + exp(c)) / somme(exp(x) + exp(c)),\n"
      "        exp(x[i]) / somme(exp(x)), softmax(x)[i]]", "1.i"),
    # ---- 1.j ∂S_i/∂x_j
    M("1j_Si_Si", "q1j_etapes", (r"- S\[i\] \* S\[j\]\]", "- S[i] * S[i]]"), "1.j"),
    M("1j_quotient_rule_sign", "q1j_etapes",
      (r"Z - exp\(x\[i\]\) \* exp\(x\[j\]\)\) / Z \*\* 2", "Z + exp(x[i]) * exp(x[j])) / Z ** 2"), "1.j"),
    M("1j_no_indicator", "q1j_etapes", (r"S\[i\] \* indicatrice\(i == j\) - ", "S[i] - "), "1.j"),
    M("1j_starts_with_softmax", "q1j_etapes",
      "Z = somme(exp(x))\nS = softmax(x)\n"
      "return [S[i] * indicatrice(i == j) - S[i] * S[j],\n"
      "        exp(x[i]) / Z * indicatrice(i == j) - (exp(x[i]) / Z) * (exp(x[j]) / Z),\n"
      "        S[i] * indicatrice(i == j) - S[i] * S[j]]", "1.j"),
    M("1j_ends_with_exp", "q1j_etapes",
      "Z = somme(exp(x))\n"
      "return [(indicatrice(i == j) * exp(x[i]) * Z - exp(x[i]) * exp(x[j])) / Z ** 2,\n"
      "        exp(x[i]) / Z * indicatrice(i == j) - (exp(x[i]) / Z) * (exp(x[j]) / Z)]", "1.j",
      "the end must be written with S = softmax(x)"),
    # ---- 1.k Jacobian
    M("1k_StS", "q1k_jacobienne_softmax", "return diag(S) - S.T @ S", "1.k"),
    M("1k_no_diag", "q1k_jacobienne_softmax", "return np.eye(S.shape[0]) * S - S @ S.T", "1.k",
      "right values, but the assignment says \"Vous devez utiliser la fonction diag\""),
    M("1k_np_diag_of_column", "q1k_jacobienne_softmax", "return np.diag(S) - S @ S.T", "1.k",
      "np.diag of an (n, 1) array extracts a diagonal, it does not build one"),
    M("1k_sign", "q1k_jacobienne_softmax", "return S @ S.T - diag(S)", "1.k"),
    M("1k_elementwise", "q1k_jacobienne_softmax", "return diag(S) - S * S", "1.k"),
    M("1k_diagonal_only", "q1k_jacobienne_softmax", "return diag(S * (1 - S))", "1.k"),
    # ---- 1.l ∇ log S(x(u))_i
    M("1l_uniform_mean", "q1l_gradient_log_softmax",
      "return J[i].reshape(-1, 1) - J.mean(axis=0).reshape(-1, 1)", "1.l"),
    M("1l_Si_instead_of_Sj", "q1l_gradient_log_softmax",
      "return J[i].reshape(-1, 1) - S[i, 0] * J.sum(axis=0).reshape(-1, 1)", "1.l"),
    M("1l_sign", "q1l_gradient_log_softmax", "return J.T @ S - J[i].reshape(-1, 1)", "1.l"),
    M("1l_column_not_row", "q1l_gradient_log_softmax", "return J[:, i].reshape(-1, 1) - J.T @ S", "1.l"),
    M("1l_forgets_mean", "q1l_gradient_log_softmax", "return J[i].reshape(-1, 1)", "1.l"),
    M("1l_row_vector", "q1l_gradient_log_softmax", "return J[i] - S.T @ J", "1.l"),
    # ---- 2.a hidden layer
    M("2a_b1_of_size_d", "q2a_dimension_b1", "return (d, 1)", "2.a"),
    M("2a_b1_row", "q2a_dimension_b1", "return (1, d_h)", "2.a"),
    M("2a_W1_transposed", "q2a_preactivation", "return W1.T @ x + b1", "2.a"),
    M("2a_minus_bias", "q2a_preactivation", "return W1 @ x - b1", "2.a"),
    M("2a_forgets_bias", "q2a_preactivation", "return W1 @ x", "2.a"),
    M("2a_hj_short_range", "q2a_preactivation_j", (r"range\(W1\.shape\[1\]\)", "range(W1.shape[1] - 1)"), "2.a"),
    M("2a_hj_transposed", "q2a_preactivation_j", (r"W1\[j, k\]", "W1[k, j]"), "2.a"),
    M("2a_hs_relu", "q2a_sortie_cachee", "return relu(ha)", "2.a"),
    M("2a_hs_tanh", "q2a_sortie_cachee", "return tanh(ha)", "2.a"),
    # ---- 2.b output layer
    M("2b_W2_transposed_shape", "q2b_dimensions", 'return {"W2": (d_h, m), "b2": (m, 1)}', "2.b"),
    M("2b_b2_of_size_dh", "q2b_dimensions", 'return {"W2": (m, d_h), "b2": (d_h, 1)}', "2.b"),
    M("2b_W2_transposed", "q2b_activation_sortie", "return W2.T @ hs + b2", "2.b"),
    M("2b_forgets_bias", "q2b_activation_sortie", "return W2 @ hs", "2.b"),
    M("2b_oak_indices_swapped", "q2b_activation_sortie_k", (r"W2\[k, j\]", "W2[j, k]"), "2.b"),
    # ---- 2.c softmax (q2i_derivee_oa_k of the example calls q2c_softmax: 2.i follows 2.c)
    M("2c_no_max_subtraction", "q2c_softmax", "e = exp(oa)\nreturn e / somme(e)", "2.c",
      "overflow at |o^a| ≈ 1000"),
    M("2c_min_subtracted", "q2c_softmax", "e = exp(oa - np.min(oa))\nreturn e / somme(e)", "2.c"),
    M("2c_first_subtracted", "q2c_softmax", "e = exp(oa - oa[0, 0])\nreturn e / somme(e)", "2.c"),
    M("2c_abs_max_subtracted", "q2c_softmax", "e = exp(oa - np.max(np.abs(oa)))\nreturn e / somme(e)", "2.c",
      "never overflows, but every exp underflows to 0 when all entries are near -1000"),
    M("2c_inconsistent_shift", "q2c_softmax", "return exp(oa - np.max(oa)) / somme(exp(oa))", {"2.c", "2.i"}),
    M("2c_wrong_axis", "q2c_softmax", "e = exp(oa - np.max(oa))\nreturn e / np.sum(e, axis=1, keepdims=True)",
      {"2.c", "2.i"}),
    M("2c_letter", "q2c_pourquoi", 'return "A"', "2.c"),
    # ---- 2.d MSE
    M("2d_derivative_misses_factor_two", "q2d_derivee_mse",
      "return (sigma(oa) - y) * sigma(oa) * (1 - sigma(oa))", "2.d",
      "the derivative of the half convention with the full loss"),
    M("2d_half_loss_full_derivative", "q2d_perte_mse", "return 0.5 * (sigma(oa) - y) ** 2", "2.d"),
    M("2d_no_sigma_prime", "q2d_derivee_mse", "return 2 * (sigma(oa) - y)", "2.d"),
    M("2d_one_plus_sigma", "q2d_derivee_mse", "return 2 * (sigma(oa) - y) * sigma(oa) * (1 + sigma(oa))", "2.d"),
    M("2d_sign", "q2d_derivee_mse", "return 2 * (y - sigma(oa)) * sigma(oa) * (1 - sigma(oa))", "2.d"),
    M("2d_doubled", "q2d_derivee_mse", "return 4 * (sigma(oa) - y) * sigma(oa) * (1 - sigma(oa))", "2.d"),
    M("2d_loss_without_sigma", "q2d_perte_mse", "return (oa - y) ** 2", "2.d"),
    # ---- 2.e CE
    M("2e_unstable_loss", "q2e_perte_ce", "return -(y * log(sigma(oa)) + (1 - y) * log(1 - sigma(oa)))", "2.e",
      "-inf/nan at |o^a| ≈ 1000"),
    M("2e_unstable_loss_sigma_minus", "q2e_perte_ce",
      "return -y * log(sigma(oa)) - (1 - y) * log(sigma(-oa))", "2.e"),
    M("2e_log_one_plus_exp", "q2e_perte_ce", "return y * log(1 + exp(-oa)) + (1 - y) * log(1 + exp(oa))", "2.e",
      "softplus written as log(1 + exp(.)): inf at |o^a| ≈ 1000"),
    M("2e_labels_swapped", "q2e_perte_ce", "return (1 - y) * softplus(-oa) + y * softplus(oa)", "2.e"),
    M("2e_derivative_sign", "q2e_derivee_ce", "return y - sigma(oa)", "2.e"),
    M("2e_derivative_extra_sigma_prime", "q2e_derivee_ce",
      "return (sigma(oa) - y) * sigma(oa) * (1 - sigma(oa))", "2.e"),
    # ---- 2.f
    M("2f_conclusion", "q2f_limites", 'return {"mse": 0, "ce": -1, "meilleure": "mse"}', "2.f"),
    M("2f_ce_sign", "q2f_limites", 'return {"mse": 0, "ce": 1, "meilleure": "ce"}', "2.f"),
    M("2f_mse_without_sigma_prime", "q2f_limites", 'return {"mse": -2, "ce": -1, "meilleure": "ce"}', "2.f"),
    # ---- 2.g log-sum-exp (q2h_risque_empirique of the example calls q2g_perte: 2.h follows 2.g)
    M("2g_unstable_logsumexp", "q2g_perte", "return -oa[y, 0] + log(somme(exp(oa)))", "2.g"),
    M("2g_log_of_softmax", "q2g_perte", "return -log(softmax(oa)[y, 0])", "2.g",
      "stable softmax, but its y-th entry underflows to 0"),
    M("2g_mean_subtracted", "q2g_perte",
      "c = np.mean(oa)\nreturn -oa[y, 0] + c + log(somme(exp(oa - c)))", "2.g",
      "shifting by the mean still overflows when the entries spread over ±1000"),
    M("2g_abs_max_subtracted", "q2g_perte",
      "c = np.max(np.abs(oa))\nreturn -oa[y, 0] + c + log(somme(exp(oa - c)))", "2.g",
      "log(0) when all entries are near -1000"),
    M("2g_one_based_label", "q2g_perte", (r"oa\[y, 0\]", "oa[y - 1, 0]"), {"2.g", "2.h"}),
    M("2g_forgets_shift_back", "q2g_perte", (r"\+ c \+ log", "+ log"), {"2.g", "2.h"}),
    M("2g_sign", "q2g_perte", "c = np.max(oa)\nreturn oa[y, 0] - c - log(somme(exp(oa - c)))", {"2.g", "2.h"}),
    # ---- 2.h
    M("2h_sum_not_mean", "q2h_risque_empirique", (r"return total / len\(X\)", "return total"), "2.h"),
    M("2h_one_based_labels", "q2h_risque_empirique", (r"q2g_perte\(oa, int\(y\)\)", "q2g_perte(oa, int(y) - 1)"),
      "2.h"),
    M("2h_forgets_b1", "q2h_risque_empirique", (r" \+ b1\)", ")"), "2.h"),
    M("2h_params_without_biases", "q2h_parametres", 'return ["W1", "W2"]', "2.h"),
    M("2h_count_without_biases", "q2h_nombre_parametres", "return d_h * d + m * d_h", "2.h"),
    M("2h_count_b1_of_size_d", "q2h_nombre_parametres", "return d_h * d + d + m * d_h + m", "2.h"),
    M("2h_argmax", "q2h_probleme", 'return "A"', "2.h"),
    M("2h_one_example", "q2h_probleme", 'return "C"', "2.h"),
    # ---- 2.i
    M("2i_one_based_onehot", "q2i_gradient_oa", "return os - onehot(y - 1, os.shape[0])", "2.i"),
    M("2i_sign", "q2i_gradient_oa", "return onehot(y, os.shape[0]) - os", "2.i"),
    M("2i_minus_one_everywhere", "q2i_gradient_oa", "return os - 1", "2.i"),
    M("2i_forgets_minus_one", "q2i_derivee_oa_k", "return q2c_softmax(oa)[k, 0]", "2.i"),
    M("2i_indicator_flipped", "q2i_derivee_oa_k", (r"k == y", "k != y"), "2.i"),
    M("2i_one_based_k", "q2i_derivee_oa_k", (r"k == y", "k == y + 1"), "2.i"),
    # ---- 2.j
    M("2j_hs_k", "q2j_derivee_W2_kj", "return grad_oa[k, 0] * hs[k, 0]", "2.j"),
    M("2j_indices_swapped", "q2j_derivee_W2_kj", "return grad_oa[j, 0] * hs[k, 0]", "2.j"),
    M("2j_b2_sign", "q2j_derivee_b2_k", "return -grad_oa[k, 0]", "2.j"),
    M("2j_b2_one", "q2j_derivee_b2_k", "return 1.0", "2.j"),
    # ---- 2.k
    M("2k_hs_gradT", "q2k_gradient_W2", "return hs @ grad_oa.T", "2.k", "h^s (∂L/∂o^a)ᵀ: the transpose"),
    M("2k_scaled_not_outer", "q2k_gradient_W2", "return grad_oa * somme(hs)", "2.k"),
    M("2k_b2_row", "q2k_gradient_b2", "return grad_oa.T", "2.k"),
    M("2k_dims_hs_row", "q2k_dimensions",
      'return {"grad_oa": (m, 1), "hs": (1, d_h), "grad_W2": (m, d_h), "grad_b2": (m, 1)}', "2.k"),
    M("2k_dims_transposed", "q2k_dimensions",
      'return {"grad_oa": (m, 1), "hs": (d_h, 1), "grad_W2": (d_h, m), "grad_b2": (m, 1)}', "2.k"),
    # ---- 2.l
    M("2l_W2_jk", "q2l_derivee_hs_j", (r"W2\[k, j\]", "W2[j, k]"), "2.l"),
    M("2l_forgets_grad", "q2l_derivee_hs_j", "return sum(W2[k, j] for k in range(W2.shape[0]))", "2.l"),
    M("2l_sum_over_dh", "q2l_derivee_hs_j", (r"range\(W2\.shape\[0\]\)", "range(W2.shape[1])"), "2.l"),
    # ---- 2.m
    M("2m_W2_not_transposed", "q2m_gradient_hs", "return W2 @ grad_oa", "2.m"),
    M("2m_row_vector", "q2m_gradient_hs", "return grad_oa.T @ W2", "2.m"),
    M("2m_dims", "q2m_dimensions", 'return {"W2": (m, d_h), "grad_oa": (m, 1), "grad_hs": (m, 1)}', "2.m"),
    # ---- 2.n
    M("2n_one_plus_sigma", "q2n_derivee_sigma", "return sigma(z) * (1 + sigma(z))", "2.n"),
    M("2n_forgets_sigma_prime", "q2n_derivee_ha_j", "return grad_hs[j, 0]", "2.n"),
    M("2n_sigma_prime_of_ha_as_hs", "q2n_derivee_ha_j", "return grad_hs[j, 0] * ha[j, 0] * (1 - ha[j, 0])", "2.n",
      "σ(1 − σ) applied to h^a instead of h^s = σ(h^a)"),
    M("2n_sigma_not_prime", "q2n_derivee_ha_j", "return grad_hs[j, 0] * sigma(ha[j, 0])", "2.n"),
    # ---- 2.o
    M("2o_forgets_sigma_prime", "q2o_gradient_ha", "return grad_hs", "2.o"),
    M("2o_outer_product", "q2o_gradient_ha", "return grad_hs @ (sigma(ha) * (1 - sigma(ha))).T", "2.o"),
    M("2o_row_times_column", "q2o_gradient_ha", "return grad_hs.T * sigma(ha) * (1 - sigma(ha))", "2.o"),
    M("2o_one_plus_sigma", "q2o_gradient_ha", "return grad_hs * sigma(ha) * (1 + sigma(ha))", "2.o"),
    M("2o_dims", "q2o_dimensions", 'return {"grad_hs": (d_h, 1), "ha": (d, 1), "grad_ha": (d_h, 1)}', "2.o"),
    # ---- 3.a
    M("3a_true_division", "q3_taille_sortie", "return (n + 2 * p - d * (k - 1) - 1) / s + 1", "3.a"),
    M("3a_no_dilation", "q3_taille_sortie", "return (n + 2 * p - k) // s + 1", "3.a"),
    M("3a_dilation_times_k", "q3_taille_sortie", "return (n + 2 * p - d * k) // s + 1", "3.a"),
    M("3a_padding_once", "q3_taille_sortie", "return (n + p - d * (k - 1) - 1) // s + 1", "3.a"),
    M("3a_round", "q3_taille_sortie", "return round((n + 2 * p - d * (k - 1) - 1) / s) + 1", "3.a"),
    M("3a_ceil", "q3_taille_sortie", "return -(-(n + 2 * p - d * (k - 1) - 1) // s) + 1", "3.a"),
    M("3a_no_plus_one", "q3_taille_sortie", "return (n + 2 * p - d * (k - 1) - 1) // s", "3.a"),
    M("3a_pool_overlap", "q3a_formes",
      'return {"couche1": (32, 61, 61), "couche2": (32, 57, 57), "couche3": (128, 56, 56),\n'
      '        "total": 128 * 56 * 56}', "3.a", "max-pool with stride 1"),
    M("3a_pool_ceil", "q3a_formes",
      'return {"couche1": (32, 61, 61), "couche2": (32, 13, 13), "couche3": (128, 12, 12),\n'
      '        "total": 128 * 12 * 12}', "3.a"),
    M("3a_layer3_padding_once", "q3a_formes",
      'return {"couche1": (32, 61, 61), "couche2": (32, 12, 12), "couche3": (128, 10, 10),\n'
      '        "total": 128 * 10 * 10}', "3.a"),
    M("3a_layer1_rgb_channels", "q3a_formes",
      'return {"couche1": (3, 61, 61), "couche2": (32, 12, 12), "couche3": (128, 11, 11),\n'
      '        "total": 128 * 11 * 11}', "3.a"),
    M("3a_layer1_no_stride", "q3a_formes",
      'return {"couche1": (32, 121, 121), "couche2": (32, 12, 12), "couche3": (128, 11, 11),\n'
      '        "total": 128 * 11 * 11}', "3.a"),
    M("3a_total_sum", "q3a_formes",
      'return {"couche1": (32, 61, 61), "couche2": (32, 12, 12), "couche3": (128, 11, 11),\n'
      '        "total": 128 + 11 + 11}', "3.a"),
    M("3a_total_spatial_only", "q3a_formes",
      'return {"couche1": (32, 61, 61), "couche2": (32, 12, 12), "couche3": (128, 11, 11),\n'
      '        "total": 11 * 11}', "3.a"),
    # ---- 3.b
    M("3b_with_biases", "q3b_parametres_derniere_couche", "return 128 * 32 * 4 * 4 + 128", "3.b"),
    M("3b_rgb_input_channels", "q3b_parametres_derniere_couche", "return 128 * 3 * 4 * 4", "3.b"),
    M("3b_one_filter", "q3b_parametres_derniere_couche", "return 32 * 4 * 4", "3.b"),
    M("3b_formula_with_biases", "q3b_nombre_parametres_conv", "return c_out * c_in * k * k + c_out", "3.b"),
    M("3b_formula_without_c_in", "q3b_nombre_parametres_conv", "return c_out * k * k", "3.b"),
    # ---- 3.c-e
    M("3c_output_seven", "q3c_configuration", 'return {"k": 8, "s": 4, "p": 0, "d": 1}', "3.c"),
    M("3c_padding_not_allowed", "q3c_configuration", 'return {"k": 8, "s": 8, "p": 1, "d": 1}', "3.c"),
    M("3d_forgets_dilation", "q3d_configuration", 'return {"k": 8, "s": 8, "p": 2, "d": 2}', "3.d"),
    M("3d_no_dilation", "q3d_configuration", 'return {"k": 6, "s": 8, "p": 2, "d": 1}', "3.d"),
    M("3e_forgets_padding", "q3e_configuration", 'return {"k": 26, "s": 2, "p": 1, "d": 1}', "3.e"),
    M("3e_stride_one", "q3e_configuration", 'return {"k": 28, "s": 1, "p": 1, "d": 1}', "3.e"),
    M("3e_string_values", "q3e_configuration", 'return {"k": "28", "s": "2", "p": "1", "d": "1"}', "3.e"),
]

# The subset tests/test_mutants.py runs (the whole set takes about twice as long: run it with
# `python -m autograder mutants`, or AG_MUTANTS=all for the test): one or more mutants of every
# item and every kind of mistake of issue 6.
REPRESENTATIVE = [
    # minus signs
    "1c_minus", "1k_sign", "1l_sign", "2a_minus_bias", "2d_sign", "2e_derivative_sign", "2g_sign", "2i_sign",
    "2j_b2_sign",
    # σ(1 + σ) for σ'
    "1c_one_plus_sigma", "2d_one_plus_sigma", "2n_one_plus_sigma", "2o_one_plus_sigma",
    # transposes: W2 for W2ᵀ, h^s (∂L/∂o^a)ᵀ, Sᵀ S, rows for columns
    "2m_W2_not_transposed", "2b_W2_transposed", "2a_W1_transposed", "2k_hs_gradT", "1k_StS", "2k_b2_row",
    "2m_row_vector", "1l_row_vector", "2a_hj_transposed", "2l_W2_jk", "2o_outer_product", "1f_row_vector",
    # labels counted from 1
    "2g_one_based_label", "2h_one_based_labels", "2i_one_based_onehot", "2i_one_based_k",
    # a missing ½, a doubled factor
    "2d_derivative_misses_factor_two", "2d_half_loss_full_derivative", "2d_doubled", "1f_no_factor_two",
    "1f_doubled",
    # numerical stability
    "2c_no_max_subtraction", "2c_abs_max_subtracted", "2g_unstable_logsumexp", "2g_abs_max_subtracted",
    "2g_log_of_softmax", "2g_mean_subtracted", "2e_unstable_loss", "2e_log_one_plus_exp",
    # forgetting σ'
    "2n_forgets_sigma_prime", "2o_forgets_sigma_prime", "2d_no_sigma_prime", "2n_sigma_prime_of_ha_as_hs",
    # convolutions and parameter counts
    "3a_true_division", "3a_no_dilation", "3a_padding_once", "3a_ceil", "3a_pool_overlap",
    "3a_layer3_padding_once", "3a_total_sum", "3b_with_biases", "3b_formula_with_biases",
    "3b_rgb_input_channels", "2h_count_without_biases", "2h_params_without_biases",
    "3c_output_seven", "3c_padding_not_allowed", "3d_forgets_dilation", "3e_forgets_padding",
    # sign, ReLU', L1 at 0 and elsewhere
    "1a_zero_to_minus_one", "1a_zero_to_plus_one", "1b_two_at_zero", "1b_relu_itself", "1g_x_over_abs",
    "1g_positive_part", "1g_two_at_zero",
    # the form the question asks for
    "1a_numpy_sign", "1a_heaviside", "1c_exp_form", "1c_x_outside_sigma", "1k_no_diag",
    # counterexamples and derivations
    "1h_c_is_one", "1h_constant_x", "1h_negative_c", "1d_wrong_step", "1d_starts_from_definition",
    "1d_repeated_step", "1d_stops_early", "1e_wrong_step", "1e_no_step", "1i_loses_exp_c",
    "1e_stops_early", "1i_starts_factored", "1i_ends_with_c", "1j_Si_Si", "1j_starts_with_softmax", "1j_ends_with_exp",
    # 1.l's expectation
    "1l_Si_instead_of_Sj", "1l_uniform_mean",
    # letters, shapes, indices
    "2c_letter", "2h_argmax", "2f_conclusion", "2f_ce_sign", "2a_b1_of_size_d", "2b_b2_of_size_dh",
    "2j_hs_k", "2k_dims_transposed", "2m_dims", "2o_dims",
    # a mistake that another item of the same file inherits
    "2c_inconsistent_shift", "2g_forgets_shift_back",
]

# Mistakes that are NOT mutants: the answer is still correct, and the grader must give the points.
# (Each one is graded in tests/equivalent_forms.py, which asserts full marks.)
EQUIVALENT = {
    "1b_one_at_zero": "indicatrice(x >= 0): rect'(0) is undefined and any value in [0, 1] is accepted "
                      "(the assignment: \"votre fonction rect' peut retourner 0 en 0\").",
    "1b_heaviside": "heaviside(x) returns 1/2 at 0, inside [0, 1].",
    "1g_minus_one_at_zero": "indicatrice(x > 0) - indicatrice(x <= 0): at a zero component any "
                            "subgradient in [-1, 1] is correct, -1 included.",
    "1h_c_zero": "([0, 1], 0): c = 0 is allowed (c >= 0) and S(0 x) is uniform, not S(x).",
    "2d_half_convention": "½(σ − y)² with the derivative (σ − y)σ': the assignment does not fix the "
                          "MSE's constant and the docstring accepts it when the derivative follows it.",
    "2n_exp_form": "exp(-z)/(1+exp(-z))**2 overflows at z = -800 but is the exact σ': item 2.n asks for "
                   "\"la forme de votre choix\" and the symbolic rescue proves it.",
    "3a_ceil_of_span": "ceil((n + 2p - d(k-1)) / s) = floor((n + 2p - d(k-1) - 1) / s) + 1 for "
                       "integers: not a mistake.",
    "3e_k27": "k = 27 with p = 1, d = 1, s = 2 gives floor(6/2) + 1 = 4 as well as k = 28.",
}


# ---------------------------------------------------------------------------- editing
def _function_span(source: str, function: str):
    tree = ast.parse(source)
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == function:
            first = node.body[0]
            has_doc = isinstance(first, ast.Expr) and isinstance(getattr(first, "value", None), ast.Constant) \
                and isinstance(first.value.value, str)
            body_start = first.end_lineno if has_doc else first.lineno - 1   # 0-based line index
            return node.lineno - 1, body_start, node.end_lineno
    raise KeyError("no function %s in the file" % function)


def apply_edit(source: str, function: str, change) -> str:
    """The source with one function changed: a new body (str) or a regex (pattern, repl) inside it."""
    lines = source.splitlines(keepends=True)
    start, body_start, end = _function_span(source, function)
    if isinstance(change, str):
        body = "".join("    " + ln + "\n" if ln.strip() else "\n" for ln in change.strip("\n").split("\n"))
        return "".join(lines[:body_start]) + body + "".join(lines[end:])
    pattern, repl = change
    text = "".join(lines[start:end])
    new, count = re.subn(pattern, repl, text)
    if count == 0:
        raise ValueError("edit of %s: pattern %r not found" % (function, pattern))
    return "".join(lines[:start]) + new + "".join(lines[end:])


def build(edit: Edit, base: str | None = None) -> str:
    text = base if base is not None else FULL_MARKS.read_text(encoding="utf-8")
    for function, change in edit.changes:
        text = apply_edit(text, function, change)
    return text


# ---------------------------------------------------------------------------- grading
_RUBRIC = None


def _init_worker():
    global _RUBRIC
    from autograder.rubric import load
    _RUBRIC = load()


# No mutant or form loops, crashes or floods memory: a worker that died or timed out while
# grading one was killed from outside (on a shared machine, another grader's clean-up of
# every ag_student process, or a start-up failure); that grading is done again.
NOT_A_GRADE = {"died", "timeout", "budget"}
ATTEMPTS = 4


def _grade_text(job):
    """Grade one source text in a fresh folder: {item: (points, max, [failed check ids])}."""
    name, text = job
    from autograder.grading import grade_file
    from autograder.sandbox.runner import SandboxError
    if _RUBRIC is None:
        _init_worker()
    with tempfile.TemporaryDirectory(prefix="ag-mutant-") as tmp:
        path = Path(tmp) / "devoir3.py"
        path.write_text(text, encoding="utf-8")
        for attempt in range(ATTEMPTS):
            try:
                report = grade_file(path, _RUBRIC)
            except SandboxError:
                if attempt == ATTEMPTS - 1:
                    raise
                # One failed start marks namespaces unusable for the whole process (runner's
                # _NAMESPACES), and the fallback cannot run here: forget it and try again.
                from autograder.sandbox import runner
                getattr(runner, "_NAMESPACES", {})["ok"] = None
                time.sleep(1.0)
                continue
            if not {c.kind for i in report.items for c in i.checks} & NOT_A_GRADE:
                break
            time.sleep(0.5)
    return name, {i.id: (i.points, i.max_points, [c.id for c in i.checks if not c.passed])
                  for i in report.items}, report.seconds


def grade_sources(jobs, workers: int = 2):
    """Grade (name, source) pairs in a process pool; returns {name: (items, seconds)}."""
    jobs = list(jobs)
    if workers <= 1 or len(jobs) <= 1:
        _init_worker()
        return {n: (r, s) for n, r, s in map(_grade_text, jobs)}
    with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker) as pool:
        return {n: (r, s) for n, r, s in pool.map(_grade_text, jobs, chunksize=1)}


@dataclass
class Verdict:
    edit: Edit
    lost: dict            # item -> failed checks, for every item that lost points
    seconds: float
    unstable: bool = False   # a second grading of the same file disagreed with the first

    @property
    def missed(self) -> set:
        """Items that had to lose points and did not (the mutant survives there)."""
        return set(self.edit.items) - set(self.lost)

    @property
    def collateral(self) -> set:
        """Items that lost points although the mistake does not touch them."""
        return set(self.lost) - set(self.edit.items)

    @property
    def right(self) -> bool:
        return not self.missed and not self.collateral


def run(edits, workers: int = 2, base: str | None = None, confirm: bool = True) -> list:
    base = base if base is not None else FULL_MARKS.read_text(encoding="utf-8")
    names = [e.name for e in edits]
    if len(set(names)) != len(names):
        raise ValueError("duplicate mutant names")
    results = grade_sources([(e.name, build(e, base)) for e in edits], workers)
    verdicts = [_verdict(e, *results[e.name]) for e in edits]
    # Grading is deterministic; a surprising verdict is graded again, alone, to tell a grader
    # weakness from interference on a shared machine (another grader killing our sandbox).
    # A verdict stands once two gradings in a row agree (at most 4 gradings in all).
    index = {v.edit.name: k for k, v in enumerate(verdicts)}
    pending = [v for v in verdicts if not v.right] if confirm else []
    for _ in range(3):
        if not pending:
            break
        again = grade_sources([(v.edit.name, build(v.edit, base)) for v in pending], 1)
        still = []
        for v in pending:
            second = _verdict(v.edit, *again[v.edit.name])
            second.unstable = v.unstable or second.lost != v.lost
            verdicts[index[v.edit.name]] = second
            if second.lost != v.lost:
                still.append(second)
        pending = still
    return verdicts


def _verdict(edit, items, seconds) -> Verdict:
    return Verdict(edit, {i: failed for i, (pts, mx, failed) in items.items() if pts < mx - 1e-9}, seconds)


def select(pattern: str | None, edits=None) -> list:
    edits = MUTANTS if edits is None else edits
    if not pattern:
        return list(edits)
    return [e for e in edits if pattern in e.name or pattern in e.function or any(pattern in i for i in e.items)]


def report(verdicts, verbose: bool = False) -> str:
    n = len(verdicts)
    good = sum(v.right for v in verdicts)
    lines = []
    for v in verdicts:
        if v.right and not verbose:
            continue
        mark = "ok  " if v.right else "FAIL"
        lines.append("%s %-34s %-24s must lose %s" % (mark, v.edit.name, v.edit.function,
                                                     ",".join(sorted(v.edit.items))))
        if v.missed:
            lines.append("     survives on %s" % ", ".join(sorted(v.missed)))
        if v.collateral:
            lines.append("     also costs points on %s (%s)" % (", ".join(sorted(v.collateral)), "; ".join(
                "%s: %s" % (i, ",".join(v.lost[i])) for i in sorted(v.collateral))))
        if v.unstable:
            lines.append("     (graded differently on a busy machine: the result of two agreeing gradings is shown)")
        if verbose and v.lost:
            lines.append("     lost: %s" % "; ".join("%s: %s" % (i, ",".join(c)) for i, c in sorted(v.lost.items())))
    survivors = sum(bool(v.missed) for v in verdicts)
    wrong_item = sum(bool(v.collateral) for v in verdicts)
    unstable = sum(v.unstable for v in verdicts)
    lines.append("mutation score: %d / %d = %.1f %% (survivors: %d, hitting other items: %d%s)" % (
        good, n, 100.0 * good / n if n else 0.0, survivors, wrong_item,
        ", graded differently twice: %d" % unstable if unstable else ""))
    return "\n".join(lines)


def main(argv=None) -> int:
    import argparse
    p = argparse.ArgumentParser(prog="python -m autograder mutants", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("-k", dest="pattern", help="only mutants whose name, function or items contain this")
    p.add_argument("-j", "--jobs", type=int, default=min(2, os.cpu_count() or 1))
    p.add_argument("-v", "--verbose", action="store_true", help="list every mutant and what it lost")
    args = p.parse_args(argv)
    edits = select(args.pattern)
    t0 = time.monotonic()
    verdicts = run(edits, args.jobs)
    print(report(verdicts, args.verbose))
    print("%d mutants graded in %.1f s with %d processes" % (len(edits), time.monotonic() - t0, args.jobs))
    return 0 if all(v.right for v in verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
