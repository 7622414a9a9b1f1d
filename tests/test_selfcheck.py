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


def run_self_check(folder, text):
    """Lay out a student's folder with devoir3.py = text and run the self-check there
    (a function is deemed to loop after 1 s instead of 10)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("outils.py", "autoverification.py"):
        shutil.copy(REPO / "student_template" / name, folder / name)
    (folder / "devoir3.py").write_text(text, encoding="utf-8")
    proc = subprocess.run([sys.executable, "autoverification.py"], cwd=folder, capture_output=True,
                          timeout=120, env=dict(os.environ, AUTOVERIFICATION_DELAI="1"))
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
    rc, out = run_self_check(tmp_path / "etu", text)
    todo = not_implemented(out)
    assert "1.a" not in todo and "2.b" not in todo and "1.b" in todo
    assert "2.b (q2b_dimensions, q2b_activation_sortie)" in out
    assert "[OK]      q1a_signe s'évalue avec les symboles de outils" in out


def test_flags_what_it_can_see(tmp_path):
    text = replace_function(FULL_TEXT, "q2d_derivee_mse",
                            "    return (sigma(oa) - y) * sigma(oa) * (1 - sigma(oa))")   # factor 2 lost
    text = replace_function(text, "q2k_gradient_W2", "    return hs @ grad_oa.T")          # transposed
    text = replace_function(text, "q1a_signe", "    return np.sign(x)")                     # not traceable
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
    assert rc == 1 and "ne se charge pas : SyntaxError" in out and "N'EST PAS une note" in out


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
