"""The student self-check (student_template/autoverification.py), run as a student would: in a
folder holding devoir3.py, outils.py and autoverification.py, with `python autoverification.py`."""
import os
import re
import shutil
import subprocess
import sys

from autograder.grading import grade_file

from conftest import FULL_MARKS, REPO, TEMPLATE

SELF_CHECK = REPO / "student_template" / "autoverification.py"
FULL_TEXT = FULL_MARKS.read_text(encoding="utf-8")


def run_self_check(folder, text, python=(sys.executable,)):
    """Lay out a student's folder with devoir3.py = text and run the self-check there
    (a function is deemed to loop after 1 s instead of 10)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("outils.py", "autoverification.py"):
        shutil.copy(REPO / "student_template" / name, folder / name)
    (folder / "devoir3.py").write_text(text, encoding="utf-8")
    proc = subprocess.run([*python, "autoverification.py"], cwd=folder, capture_output=True,
                          timeout=300, env=dict(os.environ, AUTOVERIFICATION_DELAI="1"))
    return proc.returncode, proc.stdout.decode("utf-8")


def not_implemented(out):
    m = re.search(r"Items non implémentés / not implemented: (.*)", out)
    return m.group(1).split(", ") if m else []


def replace_function(text, name, body):
    """text with the body of def name(...) replaced (docstring dropped)."""
    m = re.search(r"^def %s\(.*?(?=^def |\Z)" % name, text, flags=re.S | re.M)
    head = m.group(0).splitlines()[0]
    return text[:m.start()] + head + "\n" + body.rstrip("\n") + "\n\n\n" + text[m.end():]


def test_full_marks_passes_and_says_it_is_not_a_grade(tmp_path):
    rc, out = run_self_check(tmp_path / "etu", FULL_TEXT)
    assert rc == 0, out
    assert "0 échec(s)" in out and "[ÉCHEC]" not in out and "[À FAIRE]" not in out
    assert "Toutes les fonctions sont implémentées" in out
    assert "N'EST PAS une note" in out and "is NOT a grade" in out


def test_template_lists_every_item_as_unimplemented(tmp_path, rubric):
    rc, out = run_self_check(tmp_path / "etu", TEMPLATE.read_text(encoding="utf-8"))
    assert rc == 0, out
    assert not_implemented(out) == [it.id for it in rubric.items]
    assert "[ÉCHEC]" not in out


def test_partly_done_work(tmp_path, rubric):
    text = TEMPLATE.read_text(encoding="utf-8")
    text = replace_function(text, "q1a_signe", "    return indicatrice(x > 0) - indicatrice(x < 0)")
    text = replace_function(text, "q2b_activation_sortie_k",
                            "    return sum(W2[k, j] * hs[j, 0] for j in range(W2.shape[1])) + b2[k, 0]")
    text = replace_function(text, "q2l_derivee_hs_j", "    return float(W2[:, j] @ grad_oa[:, 0])")
    rc, out = run_self_check(tmp_path / "etu", text)
    todo = not_implemented(out)
    assert "1.a" not in todo and "2.b" not in todo and "1.b" in todo
    # a check that needs another item's function not done yet names the function it leaves unverified
    assert re.search(r"\[--\] +q2l_derivee_hs_j non vérifiée : sa vérification utilise votre q2b_\w+, "
                     r"pas encore implémentée", out), out
    assert "2.b (q2b_dimensions, q2b_activation_sortie)" in out
    assert "[OK]      q1a_signe s'évalue avec les symboles de outils" in out


def test_flags_what_it_can_see(tmp_path):
    text = replace_function(FULL_TEXT, "q2d_derivee_mse",
                            "    return (sigma(oa) - y) * sigma(oa) * (1 - sigma(oa))")   # factor 2 lost
    text = replace_function(text, "q2k_gradient_W2", "    return hs @ grad_oa.T")          # transposed
    text = replace_function(text, "q1a_signe",                                               # not readable
                            "    return indicatrice(x > 0) - indicatrice(x < 0) + 0 * np.arctan(x)")
    text = replace_function(text, "q2l_derivee_hs_j", "    while True:\n        pass")     # hangs
    rc, out = run_self_check(tmp_path / "etu", text)
    assert rc == 1
    assert re.search(r"\[ÉCHEC\]\s+q2d_derivee_mse ne concorde pas .* votre q2d_perte_mse", out)
    assert re.search(r"\[ÉCHEC\]\s+q2k_gradient_W2 : forme \(4, 3\)", out)
    assert re.search(r"\[ÉCHEC\]\s+q1a_signe ne s'évalue pas avec les symboles", out)
    assert re.search(r"\[ÉCHEC\]\s+q2l_derivee_hs_j n'a pas répondu", out)
    assert "4 échec(s)" in out


def test_file_that_does_not_load(tmp_path):
    rc, out = run_self_check(tmp_path / "etu", FULL_TEXT.replace("def q1a_signe(x):", "def q1a_signe(x)"))
    assert rc == 1 and "ne se charge pas : erreur de syntaxe à la ligne" in out and "N'EST PAS une note" in out
    line = re.search(r"ne se charge pas : (.*)", out).group(1)
    assert line.count("35") <= 1 and "line" not in line, line        # the line once, said in French


def test_passing_the_self_check_is_not_passing_the_grader(tmp_path, rubric):
    """Consistent but wrong: the self-check cannot know, the grader does."""
    text = replace_function(FULL_TEXT, "q2d_perte_mse", "    return (sigma(oa) - y) ** 4")
    text = replace_function(text, "q2d_derivee_mse",
                            "    return 4 * (sigma(oa) - y) ** 3 * sigma(oa) * (1 - sigma(oa))")
    text = replace_function(text, "q1c_derivee_sigmoide", "    return exp(-x) / (1 + exp(-x)) ** 2")
    text = replace_function(text, "q2c_pourquoi", '    return "A"')
    folder = tmp_path / "etu"
    rc, out = run_self_check(folder, text)
    assert rc == 0 and "0 échec(s)" in out, out
    report = grade_file(folder / "devoir3.py", rubric)
    items = {it.id: it for it in report.items}
    assert items["2.d"].points == 0            # (σ − y)⁴ with its own derivative: not the MSE
    assert items["1.c"].points == 0.5          # right values, but not written with σ only
    assert items["2.c"].points == 0.75         # a letter, the wrong one
    assert report.regular == 48 - 2 - 0.5 - 0.25


# ---- whatever the grader accepts, the self-check accepts (issue 11, kind 10)
def _packed_sources():
    """Every correct form of tests/equivalent_forms.py and every full-marks case of
    tests/student_habits.py, packed into a few files (no two forms of a file change the same
    function), and the full-marks example itself."""
    from bench import mutants
    from equivalent_forms import FORMS
    from student_habits import CASES
    edits = list(FORMS) + [mutants.Edit(c.name, c.changes, frozenset()) for c in CASES
                           if c.others and not c.points]
    packs = mutants.packs(edits)
    sources = [("full_marks", FULL_TEXT)]
    for n, pack in enumerate(packs):
        text = FULL_TEXT
        for edit in pack:
            for fn, change in edit.changes:
                text = mutants.apply_edit(text, fn, change)
        sources.append(("pack%d (%s)" % (n, ", ".join(e.name for e in pack)), text))
    return sources


def test_no_failure_on_any_correct_form(tmp_path):
    bad = []
    for n, (name, text) in enumerate(_packed_sources()):
        rc, out = run_self_check(tmp_path / ("etu%d" % n), text)
        failures = [ln for ln in out.splitlines() if "[ÉCHEC]" in ln]
        if rc != 0 or failures:
            bad.append("%s:\n  %s" % (name, "\n  ".join(failures) or out[-2000:]))
    assert not bad, "\n".join(bad)


def test_habits_the_grader_accepts(tmp_path, rubric):
    """y tested with `if y == 1` (a Python int), inputs changed in place, a (1, 1) array or a bool
    for a number, a 1-D vector: the grader gives full marks, the self-check reports no failure
    and says the shape it saw."""
    text = replace_function(FULL_TEXT, "q2d_perte_mse",
                            "    if y == 1:\n        return (sigma(oa) - 1) ** 2\n    return sigma(oa) ** 2")
    text = replace_function(text, "q2o_gradient_ha", "    grad_hs *= sigma(ha) * (1 - sigma(ha))\n    return grad_hs")
    text = replace_function(text, "q2a_preactivation_j", "    return W1[j:j + 1] @ x + b1[j:j + 1]")
    text = replace_function(text, "q1b_derivee_relu", "    return x > 0")
    text = replace_function(text, "q2m_gradient_hs", "    return (W2.T @ grad_oa).ravel()")
    folder = tmp_path / "etu"
    rc, out = run_self_check(folder, text)
    assert rc == 0 and "[ÉCHEC]" not in out, out
    assert "q2m_gradient_hs : forme (4,)" in out
    report = grade_file(folder / "devoir3.py", rubric)
    assert report.regular == 48 and report.bonus == 10, [(i.id, i.points) for i in report.items
                                                          if i.points < i.max_points]


def test_one_fault_is_counted_once(tmp_path):
    text = replace_function(FULL_TEXT, "q2a_sortie_cachee", '    raise ValueError("oups")')
    rc, out = run_self_check(tmp_path / "etu", text)
    lines = [ln for ln in out.splitlines() if "[ÉCHEC]" in ln]
    assert rc == 1 and len(lines) == 1 and "1 échec(s)" in out, out


def test_same_verdicts_whatever_the_students_machine_has(tmp_path, monkeypatch):
    """What a student's machine has must not change what the self-check says: scipy installed
    there is still unavailable (as at grading); a number given as a (1,) array is read as the
    grader reads it, also where numpy >= 2.4 refuses float() of it (played here by turning
    numpy 2.2's DeprecationWarning into an error); 2.a is checked before 2.b is done."""
    (tmp_path / "site" / "scipy").mkdir(parents=True)
    (tmp_path / "site" / "scipy" / "__init__.py").write_text("from numpy import sign  # noqa\n")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path / "site"))
    text = TEMPLATE.read_text(encoding="utf-8").replace("import numpy as np\n", "import numpy as np\nimport scipy\n", 1)
    text = replace_function(text, "q1a_signe", "    return scipy.sign(x)")
    text = replace_function(text, "q2a_dimension_b1", "    return (d_h, 1)")
    text = replace_function(text, "q2a_preactivation", "    return W1 @ x + b1")
    text = replace_function(text, "q2a_preactivation_j", "    return W1[j] @ x + b1[j]")
    rc, out = run_self_check(tmp_path / "etu", text, python=(sys.executable, "-W", "error::DeprecationWarning"))
    assert "Traceback" not in out and "[NOTE]   le module « scipy » n'est pas disponible" in out, out
    assert re.search(r"\[ÉCHEC\] +q1a_signe a levé ModuleNotFoundError", out), out
    q2a = out[out.index("2.a  "):out.index("2.b  ")]
    assert "q2a_preactivation_j : des nombres, égaux aux composantes" in q2a and "non vérifié" not in q2a, out


def test_without_numpy_a_clear_message(tmp_path):
    rc, out = run_self_check(tmp_path / "etu", FULL_TEXT, python=(sys.executable, "-S", "-I"))
    assert rc == 2 and "numpy n'est pas installé" in out and "Traceback" not in out, out
    assert sys.executable in out and re.search(r"\n    (\S+ -m pip|sudo apt) install (python3-)?numpy\n", out), out


def test_handout_and_template_say_python3():
    for path in (REPO / "handout" / "LISEZMOI.md", REPO / "handout" / "README.md", TEMPLATE, SELF_CHECK):
        text = path.read_text(encoding="utf-8")
        assert "python3 autoverification.py" in text, path
        assert "\npython autoverification.py" not in text and "`python autoverification.py`" not in text, path
