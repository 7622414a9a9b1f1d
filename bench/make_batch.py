"""Generate a folder of fake submissions from the examples, to exercise `python -m autograder batch`.

    python bench/make_batch.py OUT [--n 200] [--layout plain|gradescope] [--seed 0] [--mistakes] [--zip]

The mix (seeded, so a run is reproducible): copies of the full-marks example (each
made distinct by a comment), the blank template, the full-marks example with 1 to 6
functions broken (not implemented, a forgotten return, an exception, a wrong value),
the other example submissions, and a few pathological ones (syntax error, missing
module, no file, wrong file name, a notebook, an infinite loop at import or in a
function). `--layout gradescope` writes Gradescope's "Export Submissions" layout:
submission_<id>/ folders and a submission_metadata.yml with the submitters.
`--mistakes` breaks functions with the misconception catalogue's mistakes instead (1 to 4 per
file, from autograder/misconceptions.yaml: what the TA report's diagnoses look like on a
class); `--zip` also writes OUT.zip, the folder as an archive (the Gradescope layout inside
assignment_<id>_export/, as Gradescope's "Export Submissions" does).
"""
from __future__ import annotations

import argparse
import ast
import random
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FULL = REPO / "examples" / "submissions" / "full_marks" / "devoir3.py"
TEMPLATE = REPO / "student_template" / "devoir3.py"
OTHERS = sorted(p for p in (REPO / "examples" / "submissions").glob("*/devoir3.py") if p != FULL)

BREAKS = {
    "not_implemented": "    raise NotImplementedError\n",
    "no_return": "    pass\n",
    "exception": "    raise ValueError('oups')\n",
}


def functions(source: str) -> list:
    """(name, first body line, last line) of the module's top-level functions, 1-based."""
    out = []
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef):
            body = node.body[1:] if (node.body and isinstance(node.body[0], ast.Expr)
                                     and isinstance(getattr(node.body[0], "value", None), ast.Constant)) \
                else node.body
            if body:
                out.append((node.name, body[0].lineno, node.end_lineno))
    return out


def break_functions(source: str, rng: random.Random, k: int) -> tuple:
    """The source with k functions broken; and what was broken."""
    lines = source.splitlines(keepends=True)
    fns = functions(source)
    chosen = rng.sample(fns, k)
    done = []
    for name, first, last in sorted(chosen, key=lambda f: -f[1]):
        how = rng.choice(list(BREAKS) + ["wrong_value"])
        if how == "wrong_value":
            # keep the body, scale whatever it returns: wrong numbers (or an exception for non-numbers)
            body = "".join(lines[first - 1:last]).replace("return ", "return 1.5 * ")
            new = body
        else:
            new = BREAKS[how]
        lines[first - 1:last] = [new]
        done.append("%s:%s" % (name, how))
    return "".join(lines), done


PATHOLOGICAL = [
    ("syntax_error", lambda src: src.replace("def q1b_derivee_relu(x):", "def q1b_derivee_relu(x)", 1)),
    ("missing_module", lambda src: "import scipy.special\n" + src),
    ("loop_in_function", lambda src: src.replace('    return indicatrice(x > 0)\n',
                                                 '    while True:\n        pass\n', 1)),
    ("loop_at_import", lambda src: src + "\nwhile True:\n    pass\n"),
]


def catalogue_mistakes(source: str, rng: random.Random, k: int) -> tuple:
    """The source with k mistakes of the misconception catalogue, in k different functions."""
    sys.path.insert(0, str(REPO))
    from bench import mutants
    chosen, seen = [], set()
    for m in rng.sample(mutants.MUTANTS, len(mutants.MUTANTS)):
        fn = m.changes[0][0]
        if fn not in seen:
            seen.add(fn)
            chosen.append(m)
        if len(chosen) == k:
            break
    for m in chosen:
        source = mutants.build(m, source)
    return source, [m.name for m in chosen]


def make(out: Path, n: int = 200, layout: str = "plain", seed: int = 0, mistakes: bool = False) -> list:
    """Write n submissions into out; returns [(folder name, kind)]."""
    rng = random.Random(seed)
    out = Path(out)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    full, template = FULL.read_text(encoding="utf-8"), TEMPLATE.read_text(encoding="utf-8")
    made = []
    specials = ["syntax_error", "missing_module", "loop_in_function", "loop_at_import", "no_file",
                "wrong_name", "notebook_only", "syntax_error", "loop_in_function"]
    kinds = specials[: max(0, min(len(specials), n // 20))]
    while len(kinds) < n:
        r = rng.random()
        kinds.append("full" if r < 0.30 else "blank" if r < 0.40 else "example" if r < 0.52 else "broken")
    rng.shuffle(kinds)
    for i, kind in enumerate(kinds):
        folder = out / ("submission_%d" % (300000 + i) if layout == "gradescope" else "etudiant_%03d" % i)
        folder.mkdir()
        name, text, note = "devoir3.py", None, kind
        if kind == "full":
            text = full + "\n# copie %d\n" % i
        elif kind == "blank":
            text = template + ("\n# %d\n" % i if rng.random() < 0.5 else "")
        elif kind == "example":
            src = rng.choice(OTHERS)
            text, note = src.read_text(encoding="utf-8"), "example:" + src.parent.name
        elif kind == "broken" and mistakes:
            text, what = catalogue_mistakes(full, rng, rng.randint(1, 4))
            note = "mistakes:" + ",".join(what)
        elif kind == "broken":
            text, what = break_functions(full, rng, rng.randint(1, 6))
            note = "broken:" + ",".join(what)
        elif kind == "no_file":
            pass
        elif kind == "wrong_name":
            name, text = "Devoir3 (1).py", full
        elif kind == "notebook_only":
            name, text = "devoir3.ipynb", '{"cells": [], "nbformat": 4, "nbformat_minor": 5, "metadata": {}}\n'
        else:
            text = dict(PATHOLOGICAL)[kind](full)
        if text is not None:
            (folder / name).write_text(text, encoding="utf-8")
        made.append((folder.name, note))
    if layout == "gradescope":
        write_metadata(out, made, rng)
    return made


FIRST = ["Camille", "Léa", "Noah", "Zoé", "Félix", "Mathis", "Chloé", "Émile", "Inès", "Raphaël", "Sarah",
         "Thomas", "Ana", "Wei", "Olivier", "Maëlle", "Youssef", "Jade", "Louis", "Aïcha"]
LAST = ["Tremblay", "Gagnon", "Roy", "Côté", "Bouchard", "Gauthier", "Morin", "Lavoie", "Fortin", "Nguyen",
        "Pelletier", "Bélanger", "Lévesque", "Bergeron", "Leblanc", "Paquette", "Girard", "Simard"]


def write_metadata(out: Path, made: list, rng: random.Random) -> None:
    """submission_metadata.yml as Gradescope writes it (Ruby-symbol keys), one group submission."""
    lines = []
    for i, (folder, _) in enumerate(made):
        people = 2 if i == 3 else 1
        lines.append("%s:" % folder)
        lines.append("  :submitters:")
        for p in range(people):
            k = i * 2 + p
            name = "%s %s" % (FIRST[k % len(FIRST)], LAST[(k * 7) % len(LAST)])
            lines.append("  - :name: %s" % name)
            lines.append("    :sid: '%d'" % (20240000 + k))
            lines.append("    :email: etudiant%03d@umontreal.ca" % k)
        lines.append("  :created_at: 2026-02-%02d 23:%02d:%02d.%06d000 -05:00" % (
            1 + i % 27, rng.randint(0, 59), rng.randint(0, 59), rng.randint(0, 999999)))
        lines.append("  :score: %.1f" % rng.uniform(0, 58))
        lines.append("  :history: []")
    (out / "submission_metadata.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_zip(folder: Path, layout: str) -> Path:
    """folder.zip: the Gradescope layout under assignment_<id>_export/, a plain folder under its name."""
    import zipfile
    top = "assignment_4242_export" if layout == "gradescope" else folder.name
    target = folder.with_suffix(".zip")
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(folder.rglob("*")):
            if p.is_file():
                zf.write(p, "%s/%s" % (top, p.relative_to(folder).as_posix()))
    return target


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("out")
    p.add_argument("--n", type=int, default=200)
    p.add_argument("--layout", choices=["plain", "gradescope"], default="plain")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--mistakes", action="store_true", help="break functions with catalogued mistakes")
    p.add_argument("--zip", action="store_true", help="also write OUT.zip")
    a = p.parse_args(argv)
    made = make(Path(a.out), a.n, a.layout, a.seed, a.mistakes)
    if a.zip:
        write_zip(Path(a.out), a.layout)
    counts: dict = {}
    for _, kind in made:
        key = kind.split(":")[0]
        counts[key] = counts.get(key, 0) + 1
    print("%d submissions in %s (%s): %s" % (len(made), a.out, a.layout,
                                             ", ".join("%s %d" % kv for kv in sorted(counts.items()))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
