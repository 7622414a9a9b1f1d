"""No item can be completed by blind guessing in fewer than 50 expected submissions (issue 10).

The guesser resubmits without limit and sees, per sub-check, pass or fail (for 3.a, which layer
first goes wrong). The model, from the rubric and the template (README "Guessing"):

- A sub-check whose answer is a function graded on seeded inputs with an unbounded answer
  space (values, form, derivation, uses_name, property, counterexample, a number-valued
  formula, 3.c-e's complete lists on sizes the student does not know) cannot be enumerated.
- A plain answer is enumerated over its plausible candidates of the right type: N candidates,
  r of them accepted, tried in a random order: (N + 1) / (r + 1) expected submissions. Checks
  graded together multiply their candidates.
- An item's full marks need all its sub-checks; guessed in parallel, the expected number of
  submissions is at least the largest sub-check's (E[max] >= max E).

The test computes each figure from the rubric (the accepted answers are the rubric's own
`expect`/`accept`, evaluated on the rubric's own cases), so a rubric change cannot silently make
an item guessable.
"""
import itertools
import math
import re

from autograder import checks, inputs, targets
from autograder.rubric import load
from conftest import TEMPLATE

MIN_SUBMISSIONS = 50

# Sub-checks that a guesser CAN find in fewer than 50 submissions, on purpose; the item stays
# out of reach (its other sub-checks cannot be enumerated). Adding one here is a decision.
GUESSABLE_SUB_CHECKS = {
    ("2.f", "conclusion"): "0.5 pt: two choices, judged on the student's own limits (issue 11)",
    ("3.c", "valides"): "half credit for one valid configuration (one wrong one forgiven); full marks need the complete lists",
    ("3.d", "valides"): "half credit, as 3.c",
    ("3.e", "valides"): "half credit, as 3.c",
}

INF = math.inf
SYMBOLS = ("d", "d_h", "m", "1")
LIMIT_VALUES = (0.0, 0.5, -0.5, 1.0, -1.0, 2.0, -2.0, INF, -INF)
PARAMETER_NAMES = ("W1", "b1", "W2", "b2", "x", "ha", "hs", "oa", "os", "y")


def expected_tries(n, r):
    return INF if r == 0 else (n + 1) / (r + 1)


def _shape_candidates():
    """Every shape of length 1 or 2 written with d, d_h, m and 1: 4 + 16 = 20."""
    return [c for n in (1, 2) for c in itertools.product(SYMBOLS, repeat=n)]


def _value(shape, case):
    return tuple(1 if s == "1" else case[s] for s in shape)


def _shapes_figure(check, rubric):
    """(N, r) over the symbolic shapes, each key guessed independently, all keys together."""
    cases = inputs.make_cases(check.opt("cases"), None, check.opt("with"))
    assert len({tuple(c.values()) for c in cases}) >= 2, "%s: a shape is graded on >= 2 size triples" % check.id
    assert all(len(set(c.values())) == len(c) for c in cases), "d, d_h, m must differ in every triple"
    expect = targets.resolve(check.opt("expect"))
    wants = [expect(**c) for c in cases]
    keyed = check.opt("compare") == "shapes"
    keys = list(wants[0]) if keyed else [None]
    n = r = 1
    for key in keys:
        ok = [cand for cand in _shape_candidates()
              if all(checks._shape_ok(_value(cand, c), w[key] if keyed else w) for c, w in zip(cases, wants))]
        # no constant shape passes: the sizes differ between the graded triples
        for const in itertools.product(range(1, 10), repeat=2):
            assert not all(checks._shape_ok(const, w[key] if keyed else w) for w in wants)
        n, r = n * len(_shape_candidates()), r * len(ok)
    return n, r


def _statement_count(fn):
    doc = re.search(r'def %s\(\):\n    """(.*?)"""' % fn, TEMPLATE.read_text(encoding="utf-8"), re.S).group(1)
    return len(set(re.findall(r'^\s+"([A-Z])" :', doc, re.M)))


def _conv_chain_figure(check):
    """Per layer: C among the text's channel counts (3, 32, 128) x a square H = W in 1..128."""
    return 3 * 128, 1


def _conv_near_figure(check):
    """For 32 -> 4, k and s in 1..32 (p, d and s fixed by the item): the first point needs one valid
    configuration and allows one wrong one, so a guesser tries two candidates per submission."""
    from reference import conv
    fixed = conv.CONFIG_CONSTRAINTS[check.opt("item")]
    strides = [fixed["s"]] if "s" in fixed else range(1, 33)
    cands = [(k, s) for k in range(1, 33) for s in strides]
    valid = [(k, s) for k, s in cands if conv.is_valid_config(check.opt("item"), k, s, fixed["p"], fixed["d"])]
    return len(cands), len(valid)


def _q3b_number_figure():
    """c_in.c_out.k^e (+ c_out for biases) over the text's channel counts and kernel sizes."""
    from reference import conv
    cands = {ci * co * k ** e + b * co for ci in (3, 32, 128) for co in (32, 128) for k in (4, 5, 8)
             for e in (1, 2) for b in (0, 1)}
    return len(cands), int(conv.q3b_params() in cands)


def sub_check_figure(item, check, rubric):
    """Expected submissions to pass this sub-check by enumeration; INF if not enumerable."""
    kind, compare = check.kind, check.opt("compare")
    if kind == "exact" and compare in ("shape", "shapes"):
        return expected_tries(*_shapes_figure(check, rubric))
    if kind == "exact" and compare == "statements":
        assert len(check.opt("accept")) >= 1
        return expected_tries(2 ** _statement_count(check.function), 1)
    if kind == "exact" and compare == "limits":
        cells = 4 * len(check.opt("key"))
        return expected_tries(len(LIMIT_VALUES) ** cells, 1)
    if kind == "exact" and compare == "names":
        return expected_tries(2 ** len(PARAMETER_NAMES), 1)
    if kind == "exact" and compare == "conclusion":
        return expected_tries(2, 1)
    if kind == "exact" and compare == "number":
        cases = inputs.make_cases(check.opt("cases"), checks.np.random.default_rng(0), check.opt("with"))
        if check.opt("args"):
            assert len(cases) >= 2, "%s: a formula is graded on several inputs" % check.id
            return INF              # an integer formula on seeded inputs
        assert check.function == "q3b_parametres_derniere_couche", "model this plain number: %s" % check.function
        return expected_tries(*_q3b_number_figure())
    if kind == "conv_chain":
        return expected_tries(*_conv_chain_figure(check))
    if kind == "conv_config":
        if check.opt("part") == "near":
            return (expected_tries(*_conv_near_figure(check)) + 0.5) / 2    # two candidates per submission
        assert check.opt("cases") == "conv_io" and check.opt("part") == "exact"
        cases = inputs.make_cases("conv_io", checks.np.random.default_rng(0), check.opt("with"))
        assert len(cases) >= 3 and cases[0] == {"n": 32, "n_out": 4}
        return INF
    assert kind in ("values", "form", "derivation", "uses_name", "property", "counterexample"), kind
    return INF


def figures(alone=False):
    """{item: (expected submissions for full marks, {sub-check: expected submissions})}. A
    sub-check that `requires` one the guesser cannot enumerate is out of reach too, unless
    `alone` (the figure for a student who already passes the required sub-check)."""
    rubric = load()
    out = {}
    for item in rubric.items:
        subs = {}
        for c in item.checks:
            subs[c.id] = sub_check_figure(item, c, rubric)
            if not alone and any(subs[r] == INF for r in c.requires):
                subs[c.id] = INF
        out[item.id] = (max(subs.values()), subs)
    return out


def test_no_item_can_be_completed_by_blind_guessing():
    low = {i: f for i, (f, _) in figures().items() if f < MIN_SUBMISSIONS}
    assert not low, "items guessable in < %d submissions: %s" % (MIN_SUBMISSIONS, low)


def test_guessable_sub_checks_are_the_listed_ones():
    found = {(i, c): f for i, (_, subs) in figures().items() for c, f in subs.items() if f < MIN_SUBMISSIONS}
    assert set(found) <= set(GUESSABLE_SUB_CHECKS), {k: v for k, v in found.items() if k not in GUESSABLE_SUB_CHECKS}


def test_figures_of_the_readme():
    f = figures()
    assert f["2.c"][1]["pourquoi"] == f["2.h"][1]["probleme"] == 64.5
    assert round(f["2.b"][1]["dimensions"]) == 134
    assert f["2.f"][1]["limites"] > 10 ** 6
    assert f["2.a"][1]["dimension_b1"] == f["3.b"][1]["nombre"] == INF     # graded with their computation
    alone = figures(alone=True)
    assert round(alone["2.a"][1]["dimension_b1"]) == 7 and alone["3.b"][1]["nombre"] == 28.5
    assert [round(f[i][1]["valides"]) for i in ("3.c", "3.d", "3.e")] == [12, 17, 6]
