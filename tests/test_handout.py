"""The handout (`python -m autograder handout`): what a student receives, and nothing of the
answer key: no reference function, rubric message or tolerance, hidden input, seed or expected
value."""
import ast
import math
import re
import subprocess
import sys
import zipfile

import pytest

from autograder import inputs
from autograder.handout import build_handout
from reference import conv

from conftest import REPO, TEMPLATE

EXPECTED = ["devoir3/devoir3.py", "devoir3/outils.py", "devoir3/autoverification.py",
            "devoir3/LISEZMOI.md", "devoir3/README.md"]
STDLIB_AND_NUMPY = {"ast", "contextlib", "importlib", "importlib.util", "inspect", "linecache", "numbers", "os",
                    "re", "signal", "sys", "sysconfig", "traceback", "warnings", "numpy", "outils"}


@pytest.fixture(scope="module")
def handout(tmp_path_factory):
    path = build_handout(tmp_path_factory.mktemp("handout") / "devoir3-etudiant.zip")
    with zipfile.ZipFile(path) as z:
        return path, {name: z.read(name).decode("utf-8") for name in z.namelist()}


def _flat(text):
    return " ".join(text.split())


def test_contents(handout):
    path, files = handout
    assert list(files) == EXPECTED
    assert files["devoir3/devoir3.py"] == TEMPLATE.read_text(encoding="utf-8")
    assert files["devoir3/outils.py"] == (REPO / "student_template" / "outils.py").read_text(encoding="utf-8")
    for name in ("devoir3/LISEZMOI.md", "devoir3/README.md"):
        assert "python3 autoverification.py" in files[name] and "devoir3.py" in files[name]
    assert "seulement `devoir3.py`" in files["devoir3/LISEZMOI.md"]
    assert "only `devoir3.py`" in files["devoir3/README.md"]
    again = build_handout(path.with_name("again.zip"))
    assert again.read_bytes() == path.read_bytes()          # reproducible


def test_template_functions_are_all_unanswered(handout):
    _, files = handout
    for node in ast.parse(files["devoir3/devoir3.py"]).body:
        if isinstance(node, ast.FunctionDef):
            body = node.body[1:] if isinstance(node.body[0], ast.Expr) else node.body
            assert len(body) == 1 and isinstance(body[0], ast.Raise), node.name
            assert ast.unparse(body[0].exc) == "NotImplementedError", node.name


def test_self_check_uses_the_standard_library_and_numpy_only(handout):
    _, files = handout
    tree = ast.parse(files["devoir3/autoverification.py"])
    imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert imported <= STDLIB_AND_NUMPY, imported - STDLIB_AND_NUMPY
    assert "N'EST PAS une note" in files["devoir3/autoverification.py"]
    assert "is NOT a grade" in files["devoir3/autoverification.py"]


def _reference_names():
    """Every function, class and constant the reference package defines."""
    names = set()
    for path in (REPO / "reference").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, ast.Assign) and node.col_offset == 0:
                names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return names


def test_no_reference_code_or_grader_code(handout):
    _, files = handout
    public = set(re.findall(r"\w+", files["devoir3/devoir3.py"] + files["devoir3/outils.py"]))
    secret = {n for n in _reference_names() - public if "_" in n.strip("_")}   # compound names, not words
    secret |= set(inputs.GENERATORS) - {"nothing", "vectors", "dims"}     # hidden input families
    assert len(secret) > 40
    for name, text in files.items():
        words = set(re.findall(r"\w+", text))
        assert not secret & words, (name, secret & words)
        assert not re.search(r"^\s*(from|import)\s+(reference|autograder)\b", text, flags=re.M), name
        assert "rubric" not in text.lower(), name


def test_no_rubric_message_in_the_handout(handout, rubric):
    _, files = handout
    everything = _flat("\n".join(files.values()))
    for item in rubric.items:
        for check in item.checks:
            for text in (check.fail.fr, check.fail.en):
                assert _flat(text) not in everything, (item.id, check.id, text)


def test_no_tolerance_seed_or_hidden_value(handout, rubric):
    _, files = handout
    secret = {rubric.rtol, rubric.atol}
    for item in rubric.items:
        for check in item.checks:
            for key in ("rtol", "atol", "tolerance"):
                if check.opt(key) is not None:
                    secret.add(float(check.opt(key)))
            for v in (check.opt("with") or {}).values():        # hidden inputs: edges, bounds
                for x in (v if isinstance(v, list) else [v]):
                    if isinstance(x, float) and not float(x).is_integer():
                        secret.add(abs(x))
    code = files["devoir3/autoverification.py"]
    floats = {abs(n.value) for n in ast.walk(ast.parse(code))
              if isinstance(n, ast.Constant) and isinstance(n.value, float)}
    assert not {f for f in floats if any(math.isclose(f, s, rel_tol=1e-12) for s in secret)}
    for name, text in files.items():                           # the seed only as the course number
        for m in re.finditer(str(rubric.seed), text):
            assert text[max(0, m.start() - 4):m.start()] == "IFT ", name
        assert not re.search(r"default_rng\(\s*%d|seed\s*=\s*%d" % (rubric.seed, rubric.seed), text), name


def test_no_expected_value_of_the_answer_key(handout):
    _, files = handout
    everything = "\n".join(files.values())
    for number in (conv.q3a_total(), conv.q3b_params()):       # 15488, 65536
        assert str(number) not in everything
    for shape in conv.q3a_shapes():                            # (32, 61, 61), ...
        assert not re.search(r"\D%d\s*,\s*%d\s*,\s*%d\D" % shape, everything), shape
    for item in ("c", "d", "e"):                               # the valid conv configurations
        for k, s, p, d in conv.valid_configs(item):
            assert not re.search(r'["\']k["\']\s*:\s*%d\b' % k, everything), (item, k, s)
    assert not re.search(r"""return\s+["'][A-D]["']""", everything)            # multiple-choice letters
    assert not re.search(r"""meilleure["']\s*:\s*["'](mse|ce)["']\s*[,}]""", everything)


def _shape_texts():
    """Every shape a dimension item asks (2.a, 2.b, 2.k, 2.m, 2.o), in the names a text uses:
    (d_h, 1), (m, d_h), d_h × 1, ... (dh, DH and d_h alike), and "the same shape as" phrases."""
    from autograder import targets
    names = {5: "d", 4: "d_h", 3: "m"}
    shapes = set()
    for fn in (targets.shape_b1, targets.shapes_2b, targets.shapes_2k, targets.shapes_2m, targets.shapes_2o):
        got = fn(5, 4, 3)
        for w in (got.values() if isinstance(got, dict) else [got]):
            w = (w[1], 1) if w[0] == "vector" else tuple(w)
            shapes.add(tuple(names.get(e, str(e)) for e in w))
    return shapes


def _normalised(text):
    return re.sub(r"\s+", "", text.lower()).replace("dh", "d_h").replace("d__h", "d_h")


def test_no_shape_that_an_item_asks_is_stated_in_the_zip(handout):
    """The template, outils, the self-check and the instructions describe inputs without stating
    what an item asks ("b1 : le vecteur de biais de la couche cachée, de la forme que vous donnez
    en 2.a"): no (d_h, 1), (m, d_h), m × d_h... and no "même forme que W2" (issue 20)."""
    _, files = handout
    for name, text in files.items():
        flat = _normalised(text)
        for shape in _shape_texts():
            a, b = shape
            for written in ("(%s,%s)" % (a, b), "%s×%s" % (a, b), "(%s,)" % a if b == "1" else None):
                assert not written or written not in flat, (name, written)
        assert "mêmeformeque" not in flat and "sameshapeas" not in flat, name


def test_the_zip_is_built_by_the_command(tmp_path):
    out = tmp_path / "h.zip"
    proc = subprocess.run([sys.executable, "-m", "autograder", "handout", "--out", str(out)], cwd=REPO,
                          capture_output=True, timeout=60)
    assert proc.returncode == 0 and out.is_file(), proc.stderr
    with zipfile.ZipFile(out) as z:
        assert z.namelist() == EXPECTED


def test_the_unzipped_handout_self_checks(handout, tmp_path):
    path, _ = handout
    with zipfile.ZipFile(path) as z:
        z.extractall(tmp_path)
    proc = subprocess.run([sys.executable, "autoverification.py"], cwd=tmp_path / "devoir3", capture_output=True,
                          timeout=60)
    out = proc.stdout.decode("utf-8")
    assert proc.returncode == 0 and "Items non implémentés / not implemented: 1.a, 1.b" in out, out
