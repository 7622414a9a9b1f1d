"""Mutation analysis of the grader: wrong submissions derived from the full-marks example.

Each mutant is one mistake students really make in this assignment: an entry of the
misconception catalogue autograder/misconceptions.yaml (which also gives the diagnosis a
student reads), a textual edit of ONE function of examples/submissions/full_marks/devoir3.py
(a new body, or a regex replacement inside that function), with the set of items that MUST
lose points. A mutant is
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
import hashlib
import os
import re
import sys
import tempfile
import time
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
def _catalogue() -> list:
    """The mutants: every entry of autograder/misconceptions.yaml (the catalogue that also drives
    the diagnosis students read), as an edit of one function with the items it must cost."""
    from autograder import misconceptions
    return [Edit(m.id, ((m.function, m.change),), m.loses, m.why_text("en")) for m in misconceptions.load()]


MUTANTS = _catalogue()

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
    "3c_size_without_plus_one", "3c_padding_not_allowed", "3d_forgets_dilation", "3e_forgets_padding",
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
    "2c_gradient_speed", "2h_argmax", "2f_conclusion", "2f_ce_sign", "2a_b1_of_size_d", "2b_b2_of_size_dh",
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
    "3c_floats_and_duplicates": "integer-valued floats and a configuration listed twice: what is asked is "
                                "the set of valid configurations.",
}


# ---------------------------------------------------------------------------- editing
from autograder.misconceptions import apply_edit  # noqa: E402 - one implementation, with the catalogue


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


def init_pool_worker():
    """A pool worker's set-up: the rubric, and the worker's warm process (autograder/warm_worker.py:
    each mutant's sandboxed child is forked from it, a fresh isolated process without a new numpy
    import; if it cannot start, each starts its own interpreter). Not in the caller's own
    process: there it would outlive this call and change every later grade_file."""
    from autograder import warm_worker
    _init_worker()
    warm_worker.start()


# No mutant or form loops, crashes or floods memory: a worker that died or timed out while
# grading one was killed from outside (on a shared machine, another grader's clean-up of
# every ag_student process, or a start-up failure); that grading is done again.
NOT_A_GRADE = {"died", "timeout", "budget"}
ATTEMPTS = 4


def _grade_text(job):
    """Grade one source text in a fresh folder: Graded {item: ItemResult}."""
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
    items = Graded({i.id: ItemResult(i.points, i.max_points, [c.id for c in i.checks if not c.passed],
                                     list(i.misconceptions),
                                     tuple(CheckResult(c.id, c.passed, c.kind, c.message) for c in i.checks))
                    for i in report.items})
    items.status = report.status
    return name, items, report.seconds


@dataclass(frozen=True)
class CheckResult:
    id: str
    passed: bool
    kind: str           # answer, or how the call failed (exception, missing, requires, ...)
    message: str


class ItemResult(tuple):
    """(points, max, failed check ids), with the diagnosed misconception ids and every check's
    CheckResult as attributes."""

    def __new__(cls, points, max_points, failed, misconceptions=(), checks=()):
        t = super().__new__(cls, (points, max_points, failed))
        t.misconceptions = list(misconceptions)
        t.checks = {c.id: c for c in checks}
        return t

    def __getnewargs__(self):       # pickled between processes with its diagnosis and checks
        return tuple(self) + (self.misconceptions, tuple(self.checks.values()))


class Graded(dict):
    """{item id: ItemResult} of one grading, with the report's status (graded, load_error, ...)."""
    status = "graded"


# Every grading of this process, by the source's hash: the test suite grades the corpora once
# (the mutants, the equivalent forms, the student habits) and its tests share the results.
_GRADED: dict = {}


def grade_sources(jobs, workers: int = 2, again: bool = False):
    """Grade (name, source) pairs in a process pool; returns {name: (items, seconds)}.
    A source this process already graded is not graded again unless again=True (grading is
    deterministic; `run` grades a surprising verdict again to rule out outside interference)."""
    jobs = list(jobs)
    keys = {n: hashlib.sha256(text.encode("utf-8")).hexdigest() for n, text in jobs}
    todo = [(n, text) for n, text in jobs if again or keys[n] not in _GRADED]
    if todo:
        from autograder import answers
        answers.ensure()          # the reference answers once, before the workers read them
    if workers <= 1 or len(todo) <= 1:
        if todo:
            _init_worker()
        done = list(map(_grade_text, todo))
    else:
        from autograder.stopping import pool_map      # Ctrl-C stops it at once, never hangs
        done = pool_map(_grade_text, todo, workers, init_pool_worker)
    for n, r, s in done:
        _GRADED[keys[n]] = (r, s)
    return {n: _GRADED[keys[n]] for n, _ in jobs}


@dataclass
class Verdict:
    edit: Edit
    lost: dict            # item -> failed checks, for every item that lost points
    seconds: float
    unstable: bool = False   # a second grading of the same file disagreed with the first
    diagnosed: tuple = ()    # misconception ids the feedback gave, all items together

    @property
    def own_diagnosis(self) -> bool:
        """The feedback names this very mistake (its catalogue entry)."""
        return self.edit.name in self.diagnosed

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
        again = grade_sources([(v.edit.name, build(v.edit, base)) for v in pending], 1, again=True)
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
    diagnosed = tuple(m for r in items.values() for m in getattr(r, "misconceptions", []))
    return Verdict(edit, {i: failed for i, (pts, mx, failed) in items.items() if pts < mx - 1e-9}, seconds,
                   diagnosed=diagnosed)


def packs(edits) -> list:
    """Edits grouped a few files in all (greedy): no two edits of a group change the same function."""
    out = []
    for edit in edits:
        fns = {fn for fn, _ in edit.changes}
        for pack in out:
            if not fns & pack[0]:
                pack[0].update(fns)
                pack[1].append(edit)
                break
        else:
            out.append([set(fns), [edit]])
    return [group for _, group in out]


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
    undiagnosed = [v for v in verdicts if not v.own_diagnosis]
    for v in undiagnosed:
        lines.append("nodx %-34s without its own diagnosis (got: %s)" % (v.edit.name, ", ".join(v.diagnosed) or "none"))
    lines.append("diagnosis: %d / %d mutants receive their own" % (n - len(undiagnosed), n))
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
