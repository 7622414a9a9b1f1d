"""The reference package as a whole: fast import without sympy, the item table, the answer key
and ``python -m reference``."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import reference

ROOT = Path(__file__).resolve().parents[1]
ITEMS = ([f"Q1{c}" for c in "abcdefghijkl"] + [f"Q2{c}" for c in "abcdefghijklmno"]
         + [f"Q3{c}" for c in "abcde"])


def run_python(*args):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


def test_import_does_not_load_sympy():
    r = run_python("-c", "import sys, reference; import reference.functions, reference.mlp, "
                         "reference.conv; print('sympy' in sys.modules)")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "False"


def test_docstring_table_maps_every_item():
    doc = reference.__doc__
    for item in ITEMS[:-3] + ["Q3a", "Q3b"]:
        assert re.search(rf"^{item}\s", doc, re.M), item
    assert "Q3c-e" in doc
    # every function named in the table exists
    mods = {"F": reference.functions, "M": reference.mlp, "C": reference.conv}
    for prefix, name in re.findall(r"\b([FMC])\.([A-Za-z_0-9]+)", doc):
        assert hasattr(mods[prefix], name), f"{prefix}.{name}"
    from reference import symbolic
    for name in re.findall(r"\bS\.([A-Za-z_0-9]+)", doc):
        assert hasattr(symbolic, name), f"S.{name}"


KEY_ITEMS = [i[1] + "." + i[2] for i in ITEMS]          # Q2i -> 2.i, the rubric's ids
# LaTeX commands the key may use: each renders in KaTeX (strict) and in pandoc's MathML (checked
# by hand with both when the list was made); a new one is a decision to check again.
LATEX_COMMANDS = {
    "operatorname", "mathbf", "text", "frac", "tfrac", "partial", "sigma", "sum", "log", "ln",
    "left", "right", "bigl", "bigr", "neq", "approx", "top", "qquad", "quad", "mathbb", "in",
    "times", "cdot", "to", "infty", "lim", "Big", "hat", "theta", "arg", "min", "odot", "nabla",
    "sim", "max", "lfloor", "rfloor", "begin", "end", "mid", "cases", "le", "ge", "dots", ",", "\\",
    "{", "}", "|", ";", " ", "E", "mathcal", "Sigma",
}


def _math(text: str) -> list:
    """The LaTeX of every $$...$$ and $...$ of a Markdown text (code spans left out)."""
    text = re.sub(r"`[^`]*`", "", text)
    return [a or b for a, b in re.findall(r"\$\$(.+?)\$\$|\$([^$\n]+?)\$", text, re.S)]


def _prose(text: str) -> str:
    """The text with each formula and code span as the one letter X."""
    return re.sub(r"\$\$.+?\$\$|\$[^$\n]+?\$|`[^`]*`", "X", text, flags=re.S)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_answer_key_covers_every_item_as_markdown_with_latex(lang):
    from reference import key

    entries = key.entries(lang)
    assert [e["item"] for e in entries] == KEY_ITEMS
    for e in entries:
        assert e["title"] and e["text"] and "<<" not in e["text"], e["item"]
        assert e["text"].count("$$") % 2 == 0, e["item"]
        for tex in _math(e["text"]):
            assert tex.count("{") - tex.count(r"\{") == tex.count("}") - tex.count(r"\}"), (e["item"], tex)
            assert tex.count(r"\left") == tex.count(r"\right"), (e["item"], tex)
            assert tex.count(r"\begin") == tex.count(r"\end"), (e["item"], tex)
            unknown = set(re.findall(r"\\([A-Za-z]+|.)", tex)) - LATEX_COMMANDS
            assert not unknown, (e["item"], unknown)
        assert "$" not in _prose(e["text"]), e["item"]             # every $ opened is closed
    by_item = {e["item"]: e["text"] for e in entries}
    assert "15488" in by_item["3.a"] and "65536" in by_item["3.b"]
    assert r"$s = 2$, $k \in \{27, 28\}$" in by_item["3.e"]
    skip = r"$s > d(k-1) + 1$"            # said where some configuration skips pixels: not in 3.e
    assert skip in by_item["3.c"] and skip in by_item["3.d"] and skip not in by_item["3.e"]
    assert r"\operatorname{onehot}_m(y)" in by_item["2.i"]
    assert "A, B, E" in by_item["2.c"] and "A, C, G" in by_item["2.h"]     # from the rubric


def test_the_french_key_reads_as_french():
    """French typography, used the same way throughout: a space before : ; ? ! and inside « »;
    decimal commas in formulas ({,}); no English sentence left."""
    from reference import key

    page = key.markdown("fr")
    prose = _prose(page)
    assert not re.search(r"[^\s(][:;?!](\s|$)", prose), re.findall(r".{20}[^\s(][:;?!](?:\s|$)", prose)
    assert not re.search(r"«\S|\S»", prose)
    for tex in _math(page):
        assert not re.search(r"\d\.\d", tex), tex                  # 0{,}269, not 0.269
    for english in (" the ", " and ", " with ", " where ", " of ", "Answer key"):
        assert english not in prose, english
    assert "Corrigé" in page and "Affirmations vraies" in page


def test_the_english_key_reads_as_english():
    from reference import key

    prose = _prose(key.markdown("en"))
    assert not re.search(r"\s[:;?!](\s|$)", prose)
    for french in (" les ", " des ", " avec ", " est ", "Corrigé"):
        assert french not in prose, french


def test_cli_prints_answer_key():
    r = run_python("-m", "reference")
    assert r.returncode == 0, r.stderr
    for item in KEY_ITEMS:
        assert re.search(rf"^{re.escape(item)}\s", r.stdout, re.M), item
    assert "Corrigé" not in r.stdout and "Signe avec des indicatrices" in r.stdout    # French by default
    assert r"128 \times 11 \times 11" in r.stdout
    r = run_python("-m", "reference", "--item", "Q3e", "--item", "2.i", "--lang", "en")
    assert r.returncode == 0 and "3.e" in r.stdout and "2.i" in r.stdout and "1.a" not in r.stdout
    r = run_python("-m", "reference", "--markdown")
    assert r.stdout.startswith("# Corrigé — IFT 3395") and "## 3.e —" in r.stdout
    r = run_python("-m", "reference", "--item", "Q9z")
    assert r.returncode == 2 and r.stderr.strip() == "Item inconnu : Q9z (items : 1.a à 3.e)"
