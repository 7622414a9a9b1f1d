"""Submissions in real student habits (issue 11), by kind, with the score each must get.

Each case edits the full-marks example (bench.mutants.apply_edit) and states the points of
the items it concerns; every other item must keep its full marks unless `others` is False.
`says` / `never_says` are texts that an item's messages must / must not contain.
tests/test_student_habits.py grades them all once and checks each kind separately.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Case:
    kind: int
    name: str
    changes: tuple                       # ((function, change), ...) as in bench/mutants.py
    points: dict = field(default_factory=dict)    # item -> expected points (others: full marks)
    others: bool = True                  # every other item keeps full marks
    says: dict = field(default_factory=dict)      # item -> text its messages must contain
    never_says: dict = field(default_factory=dict)  # item -> texts its messages must not contain


def before(function, code):
    """Module-level code placed just before def function."""
    return function, (r"(?s)\Adef %s" % function, code.rstrip("\n") + "\n\n\ndef %s" % function)


def replace(function, code):
    """def function replaced as a whole (by an assignment, a lambda...)."""
    return function, (r"(?s)\Adef %s.*\Z" % function, code.rstrip("\n") + "\n")


def body(function, code):
    return function, code


OWN_SIGMA = "def sigma(z):\n    return 1 / (1 + np.exp(-z))"
OWN_SOFTPLUS = "def softplus(z):\n    return np.log(1 + np.exp(z))"
CHANNELS_LAST = 'return {"couche1": (61, 61, 32), "couche2": (12, 12, 32), "couche3": (11, 11, 128), "total": 15488}'

CASES = [
    # ---- 1. a student's own helper named like an outils function
    Case(1, "own_sigma_then_1c", (before("q1c_derivee_sigmoide", OWN_SIGMA),
                                  body("q1c_derivee_sigmoide", "return sigma(x) * (1 - sigma(x))"))),
    # (2.e's loss uses softplus: this own one overflows at |o^a| = 1000, the student's own doing)
    Case(1, "own_sigma_and_softplus_1d_1e", (before("q1d_etapes", OWN_SIGMA + "\n\n\n" + OWN_SOFTPLUS),),
         points={"2.e": 1.75}),
    Case(1, "own_math_sigmoid", (before("q1c_derivee_sigmoide",
                                        "import math\n\n\ndef sigmoid(z):\n    return 1 / (1 + math.exp(-z))"),
                                 body("q1c_derivee_sigmoide", "return sigmoid(x) * (1 - sigmoid(x))"))),
    Case(1, "own_numpy_softmax_1i_1j", (before("q1i_etapes", "def softmax(v):\n    e = np.exp(v - np.max(v))\n"
                                                            "    return e / np.sum(e)"),)),
    Case(1, "own_wrong_sigma_still_fails", (before("q1c_derivee_sigmoide",
                                                   "def sigma(z):\n    return 1 / (1 + np.exp(z))"),),
         points={"1.c": 0.5, "2.a": 1.5}, others=False),     # σ(-x)(1 - σ(-x)) is σ'(x) but not in σ
    # ---- 2. numpy and math functions read symbolically
    Case(2, "1d_log1p_logaddexp", (body("q1d_etapes", "return [log(sigma(x)), -np.log1p(np.exp(-x)), "
                                                      "-np.logaddexp(0, -x), -softplus(-x)]"),)),
    # (the chains of 1.e and 1.i show their idea: a derivation is a proof, issue 20)
    Case(2, "1e_logaddexp", (body("q1e_etapes", "return [softplus(x) - softplus(-x), np.logaddexp(0, x) - "
                                                "np.logaddexp(0, -x), np.log1p(np.exp(x)) - np.log1p(np.exp(-x)),\n"
                                                "        np.log((1 + np.exp(x)) / (1 + np.exp(-x))), np.log(np.exp(x)), x]"),)),
    Case(2, "1d_math", (body("q1d_etapes", "import math\n"
                                           "return [log(sigma(x)), -math.log1p(math.exp(-x)), -softplus(-x)]"),)),
    Case(2, "1d_reciprocal_negative", (body("q1d_etapes", "return [log(sigma(x)), np.log(np.reciprocal(1 + np.exp(-x))),\n"
                                                          "        np.negative(np.log1p(np.exp(-x))), -softplus(-x)]"),)),
    Case(2, "1c_square", (body("q1c_derivee_sigmoide", "return sigma(x) - np.square(sigma(x))"),)),
    Case(2, "1a_np_where", (body("q1a_signe", "return np.where(x > 0, 1.0, 0.0) - np.where(x < 0, 1.0, 0.0)"),)),
    Case(2, "1e_math", (body("q1e_etapes", "import math\nreturn [softplus(x) - softplus(-x), math.log(1 + math.exp(x)) - "
                                           "math.log(1 + math.exp(-x)),\n        math.log(math.exp(x) * (1 + math.exp(-x)))"
                                           " - math.log(1 + math.exp(-x)), math.log(math.exp(x)), x]"),)),
    Case(2, "1i_numpy_on_the_vector", (body("q1i_etapes", "return [np.exp(x[i] + c) / np.sum(np.exp(x + c)),\n"
                                                         "        np.exp(c) * np.exp(x[i]) / (np.exp(c) * np.sum(np.exp(x))),\n"
                                                         "        np.exp(x[i]) / np.sum(np.exp(x)),\n"
                                                         "        np.exp(x[i] - np.max(x)) / np.sum(np.exp(x - np.max(x))),\n"
                                                         "        softmax(x)[i]]"),)),
    Case(2, "1d_unreadable_middle_step_checked_numerically",
         (body("q1d_etapes", "return [log(sigma(x)), -np.log1p(np.exp(-x)) * np.cos(0 * x), -softplus(-x)]"),),
         says={"1.d": "np.cos"}),
    # (issue 20: 1.c's points need the exact formula: an unreadable one earns nothing, and says why)
    Case(2, "1c_unreadable_named", (body("q1c_derivee_sigmoide", "return sigma(x) * (1 - sigma(x)) * np.cos(0 * x)"),),
         points={"1.c": 0}, says={"1.c": "np.cos"}, never_says={"1.c": ["__array_ufunc__", "NotImplemented"]}),
    # ---- 3. source checks: lambda, alias, functools.partial
    Case(3, "1k_lambda", (replace("q1k_jacobienne_softmax", "q1k_jacobienne_softmax = lambda S: diag(S) - S @ S.T"),)),
    Case(3, "1k_alias", (replace("q1k_jacobienne_softmax", "def _jacobienne(S):\n    return diag(S) - S @ S.T\n\n\n"
                                                           "q1k_jacobienne_softmax = _jacobienne"),)),
    Case(3, "1k_partial", (replace("q1k_jacobienne_softmax",
                                   "import functools\n\n\ndef _jacobienne(S, d):\n    return d(S) - S @ S.T\n\n\n"
                                   "q1k_jacobienne_softmax = functools.partial(_jacobienne, d=diag)"),)),
    Case(3, "2c_lambda_with_exp", (replace("q2c_softmax", "q2c_softmax = lambda oa: np.exp(oa - oa.max()) / "
                                                          "np.exp(oa - oa.max()).sum()"),)),
    # ---- 4. what the docstring asks is what is graded (2.e: finite at |o^a| ≈ 1000)
    Case(4, "2e_log_plus_epsilon", (body("q2e_perte_ce", "s = sigma(oa)\n"
                                                         "return -(y * np.log(s + 1e-12) + (1 - y) * np.log(1 - s + 1e-12))"),)),
    Case(4, "2e_clip", (body("q2e_perte_ce", "s = np.clip(sigma(oa), 1e-15, 1 - 1e-15)\n"
                                             "return -(y * np.log(s) + (1 - y) * np.log(1 - s))"),)),
    Case(4, "2e_maximum_floor", (body("q2e_perte_ce", "s = sigma(oa)\nreturn -(y * np.log(np.maximum(s, 1e-300)) + "
                                                      "(1 - y) * np.log(np.maximum(1 - s, 1e-300)))"),)),
    # (2.n: "sous la forme de votre choix": math.exp overflows by raising, np.exp by inf; same rescue)
    Case(4, "2n_math_exp", (body("q2n_derivee_sigma", "import math\nreturn math.exp(-z) / (1 + math.exp(-z)) ** 2"),)),
    Case(4, "2n_math_cosh", (body("q2n_derivee_sigma", "import math\nreturn 1 / (4 * math.cosh(z / 2) ** 2)"),)),
    # ---- 5. a rule the docstring states is graded: 2.c written with exp
    Case(5, "2c_calls_softmax", (body("q2c_softmax", "return softmax(oa)"),), points={"2.c": 0.75},
         says={"2.c": "exp"}),
    Case(5, "2c_calls_outils_softmax", (body("q2c_softmax", "import outils\nreturn outils.softmax(oa)"),),
         points={"2.c": 0.75}),
    Case(5, "2c_calls_renamed_softmax", (before("q2c_softmax", "from outils import softmax as sm"),
                                         body("q2c_softmax", "return sm(oa)")), points={"2.c": 0.75}),
    Case(5, "2c_own_helper_with_exp", (before("q2c_softmax", "def _stable(v):\n    e = np.exp(v - v.max())\n"
                                                            "    return e / e.sum()"),
                                       body("q2c_softmax", "return _stable(oa)"))),
    # ---- 6. 3.a in the assignment's order (height, width, channels)
    Case(6, "3a_channels_last", (body("q3a_formes", CHANNELS_LAST),), says={"3.a": "hauteur, largeur, canaux"}),
    Case(6, "3a_channels_last_lists", (body("q3a_formes", 'return {"couche1": [61, 61, 32], "couche2": [12, 12, 32], '
                                                          '"couche3": [11, 11, 128], "total": 15488}'),)),
    Case(6, "3a_channels_last_with_batch", (body("q3a_formes", 'return {"couche1": (1, 61, 61, 32), "couche2": '
                                                               '(1, 12, 12, 32), "couche3": (1, 11, 11, 128), '
                                                               '"total": 15488}'),)),
    Case(6, "3a_channels_last_wrong_layer_carried", (body("q3a_formes", CHANNELS_LAST.replace("(61, 61, 32)", "(62, 62, 32)")),),
         points={"3.a": 2.5}, never_says={"3.a": ["61"]}),
    # ---- 7. a module the grader does not have
    Case(7, "scipy_expit_used_once", (before("q2a_sortie_cachee", "from scipy.special import expit"),
                                      body("q2a_sortie_cachee", "return expit(ha)")),
         points={"2.a": 1.5}, says={"2.a": "scipy"}),
    Case(7, "torch_imported_unused", (before("q1a_signe", "import torch"),)),
    Case(7, "matplotlib_imported_unused", (before("q1a_signe", "import matplotlib.pyplot as plt"),)),
    Case(7, "module_used_inside_a_function", (body("q1f_gradient_l2_carre", "import torch\nreturn 2 * torch.tensor(x)"),),
         points={"1.f": 0}, says={"1.f": "numpy et outils"}),
    # ---- 9. a numpy pitfall named as such (np.diag of a column)
    Case(9, "1k_np_diag_of_column", (body("q1k_jacobienne_softmax", "return np.diag(S) - S @ S.T"),),
         points={"1.k": 0}, says={"1.k": "np.diag"}, never_says={"1.k": ["Sᵀ S"]}),
    Case(9, "1k_np_diag_of_column_outer", (body("q1k_jacobienne_softmax", "return np.diag(S) - np.outer(S, S)"),),
         points={"1.k": 0}, says={"1.k": "np.diag"}, never_says={"1.k": ["Sᵀ S"]}),
    Case(9, "1k_np_diag_of_column_broadcast", (body("q1k_jacobienne_softmax", "return np.diag(S) - S * S.T"),),
         points={"1.k": 0}, says={"1.k": "np.diag"}, never_says={"1.k": ["Sᵀ S"]}),
    # ---- 11. 2.f: the conclusion judged on the student's own limits
    # (issue 10: the eight limits are graded together, 1.5; the conclusion, 0.5, on the student's own)
    Case(11, "2f_wrong_ce_sign_right_conclusion",
         (body("q2f_limites", 'return {"mse": [[0, 0], [0, 0]], "ce": [[0, -1], [1, 0]], "meilleure": "ce"}'),),
         points={"2.f": 0.5}, says={"2.f": "rien n'indique laquelle"}),
    Case(11, "2f_wrong_ce_value_right_conclusion",
         (body("q2f_limites", 'return {"mse": [[0, 0], [0, 0]], "ce": [[0, 0.5], [-0.5, 0]], "meilleure": "ce"}'),),
         points={"2.f": 0.5}),
    Case(11, "2f_right_limits_wrong_conclusion",
         (body("q2f_limites", 'return {"mse": [[0, 0], [0, 0]], "ce": [[0, 1], [-1, 0]], "meilleure": "mse"}'),),
         points={"2.f": 1.5}),
    Case(11, "2f_limits_that_cannot_decide",
         (body("q2f_limites", 'return {"mse": [[0, 0], [0, 0]], "ce": [[0, 0], [0, 0]], "meilleure": "ce"}'),),
         points={"2.f": 0}, says={"2.f": "départager"}),
    Case(11, "2f_one_wrong_cell_cannot_decide",
         (body("q2f_limites", 'return {"mse": [[0, 0], [0, 0]], "ce": [[0, 0], [-1, 0]], "meilleure": "ce"}'),),
         points={"2.f": 0}, says={"2.f": "départager"}),
    # ---- 12. validity kinds found by an independent corpus (issue 20)
    # 3.c-e: completeness tried on edge sizes; the first point forgives one wrong configuration, not a lone one
    Case(12, "3cde_typo_empty_small_sizes_loop_short", (
        body("q3c_configurations", 'return [{"k": k, "s": s, "p": 0, "d": 1} for k in range(1, n + 1) for s in range(1, n + 1)\n'
                                   '        if (n - (k - 1) - 1) // s + 1 == n_sortie] + [{"k": 30, "s": 1, "p": 0, "d": 1}]'),
        body("q3d_configurations", 'if n < 16:\n    return []\n'
                                   'return [{"k": k, "s": s, "p": 2, "d": 2} for k in range(1, n + 5) for s in range(1, n + 5)\n'
                                   '        if 2 * (k - 1) + 1 <= n + 4 and (n + 4 - 2 * (k - 1) - 1) // s + 1 == n_sortie]'),
        body("q3e_configurations", 'return [{"k": k, "s": 2, "p": 1, "d": 1} for k in range(1, n)\n'
                                   '        if (n + 2 - (k - 1) - 1) // 2 + 1 == n_sortie]')),
         points={"3.c": 1, "3.d": 1, "3.e": 1}),
    # a lone invalid configuration earns nothing; letters with "et" or an empty string are read; a dict of rows too
    Case(12, "3c_lone_invalid_letters_read_2f_dict_rows", (
        body("q3c_configurations", 'return [{"k": 30, "s": 1, "p": 0, "d": 1}]'),
        body("q2c_pourquoi", 'return "A et B et E"'), body("q2h_probleme", 'return ["A", "C", "G", ""]'),
        body("q2f_limites", 'return {"mse": {0: [0, 0], 1: [0, 0]}, "ce": {0: [0, 1], 1: [-1, 0]}, "meilleure": "ce"}')),
         points={"3.c": 0}),
    # what cannot be read is a form problem, never a wrong choice; limits that separate the losses at one
    # very-wrong cell decide the conclusion (the other loss stops learning there)
    Case(12, "2c_form_problem_2f_one_cell_decides", (
        body("q2c_pourquoi", 'return "A, B, E, H"'),
        body("q2f_limites", 'return {"mse": [[0, 0.5], [0, 0]], "ce": [[0, 1], [-1, 0]], "meilleure": "ce"}')),
         points={"2.c": 0.75, "2.f": 0.5}, says={"2.c": "forme"}, never_says={"2.c": ["incorrect"]}),
    Case(12, "2f_constant_tables_decide_nothing", (
        body("q2f_limites", 'return {"mse": [[1, 1], [1, 1]], "ce": [[0, 0], [0, 0]], "meilleure": "mse"}'),
        body("q2h_probleme", 'return {"A": True}')),
         points={"2.f": 0, "2.h": 1.5}, says={"2.f": "départager", "2.h": "forme"}),
]
