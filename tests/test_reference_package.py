"""The reference package as a whole: fast import without sympy, the item table, the answer key
and ``python -m reference``."""

import os
import re
import subprocess
import sys
from pathlib import Path

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


def test_answer_key_covers_every_item():
    from reference.symbolic import answer_key

    key = answer_key()
    assert [e["item"] for e in key] == ITEMS
    for e in key:
        assert set(e) == {"item", "title", "text", "latex"}
        assert all(isinstance(v, str) for v in e.values())
        assert e["title"] and e["text"]
    by_item = {e["item"]: e for e in key}
    assert "15488" in by_item["Q3a"]["text"] and "65536" in by_item["Q3b"]["text"]
    assert "k in {27, 28}" in by_item["Q3e"]["text"]
    assert "onehot" in by_item["Q2i"]["text"]


def test_cli_prints_answer_key():
    r = run_python("-m", "reference", "--latex")
    assert r.returncode == 0, r.stderr
    for item in ITEMS:
        assert re.search(rf"^{item}\s", r.stdout, re.M), item
    assert "LaTeX:" in r.stdout
    assert "(128, 11, 11)" in r.stdout
    r = run_python("-m", "reference", "--item", "Q3e")
    assert r.returncode == 0 and "Q3e" in r.stdout and "Q1a" not in r.stdout
    r = run_python("-m", "reference", "--item", "Q9z")
    assert r.returncode != 0
