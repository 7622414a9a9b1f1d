"""The answer key: every item's expected answer, in French or English, as Markdown with LaTeX.

The texts are data (``reference/answer_key.yaml``); this module fills in the figures computed by
the reference (conv sizes, the valid configurations of 3.c-e, the limits of 2.f) and, when the
grader's rubric is at hand (the repository or the Gradescope zip), the item titles and the true
statements of 2.c and 2.h from it, their one source of truth.

    entries(lang) -> [{"item": "1.a", "title": ..., "text": ...}, ...]   (32 items, in order)
    markdown(lang) -> str                                               a page to publish
"""
from __future__ import annotations

import re
from pathlib import Path

from . import conv, mlp

TEXTS = Path(__file__).with_name("answer_key.yaml")
ITEMS = ([f"1.{c}" for c in "abcdefghijkl"] + [f"2.{c}" for c in "abcdefghijklmno"]
         + [f"3.{c}" for c in "abcde"])
LANGS = ("fr", "en")
STATEMENT_FUNCTIONS = {"2.c": "q2c_pourquoi", "2.h": "q2h_probleme"}
_PLACEHOLDER = re.compile(r"<<(\w+)>>")


def load_texts(path: Path = TEXTS) -> dict:
    import yaml
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def _shape(shape) -> str:
    return r" \times ".join(str(n) for n in shape)


def _limits_table(lang: str) -> str:
    """The eight limits of 2.f as a Markdown table: loss, y, o^a -> -inf, o^a -> +inf."""
    head = {"fr": "| perte | $y$ | $o^a \\to -\\infty$ | $o^a \\to +\\infty$ |",
            "en": "| loss | $y$ | $o^a \\to -\\infty$ | $o^a \\to +\\infty$ |"}[lang]
    rows = [head, "|---|---|---|---|"]
    for loss, name in (("mse", "$L_{MSE}$"), ("ce", "$L_{CE}$")):
        for y, (minus, plus) in enumerate(mlp.grad_limits()[loss]):
            rows.append("| %s | $%d$ | $%g$ | $%g$ |" % (name, y, minus, plus))
    return "\n".join(rows)


def _configs(item: str) -> tuple:
    """(count, Markdown list "- $s = 2$, $k \\in \\{27, 28\\}$" per stride, constraints, whether
    some configuration's stride skips input pixels: s > d(k-1) + 1) of 3.c-e."""
    configs = conv.valid_configs(item)
    by_s = {}
    for k, s, _p, _d in configs:
        by_s.setdefault(s, []).append(k)
    lines = ["- $s = %d$, $k \\in \\{%s\\}$" % (s, ", ".join(map(str, ks))) for s, ks in sorted(by_s.items())]
    constraints = ", ".join("%s = %s" % kv for kv in conv.CONFIG_CONSTRAINTS[item].items())
    skips = any(s > d * (k - 1) + 1 for k, s, _p, d in configs)
    return len(configs), "\n".join(lines), "$%s$" % constraints, skips


def values(item: str, lang: str, texts: dict | None = None) -> dict:
    """The computed figures a text of this item may name as <<name>> (texts: load_texts(), for
    the sentences said only when the figures call for them)."""
    shapes = conv.q3a_shapes()
    out = {"q3a_1": _shape(shapes[0]), "q3a_2": _shape(shapes[1]), "q3a_3": _shape(shapes[2]),
           "q3a_total": str(conv.q3a_total()), "q3b_params": str(conv.q3b_params()),
           "q3b_with_biases": str(conv.q3b_params() + 128),
           "lim_mse": "%g" % mlp.mse_grad_limit_wrong_side(1), "lim_ce": "%g" % mlp.ce_grad_limit_wrong_side(1),
           "limits_table": _limits_table(lang)}
    if item in ("3.c", "3.d", "3.e"):
        count, out["configs"], out["constraints"], skips = _configs(item[-1])
        out["count"] = str(count)
        out["skipping"] = (texts or load_texts())["skipping_pixels"][lang].strip("\n") if skips else ""
    return out


def _fill(text: str, vals: dict) -> str:
    return _PLACEHOLDER.sub(lambda m: vals[m.group(1)], text)


def _rubric():
    """The grader's rubric, or None where reference/ is used without the grader."""
    try:
        from autograder.rubric import load
    except ImportError:
        return None
    return load()


def statements(rubric) -> dict:
    """{"2.c": "A, B, E", ...}: the accepted letters of the rubric's statement checks."""
    out = {}
    for item in rubric.items if rubric else ():
        for check in item.checks:
            if check.opt("compare") == "statements":
                out[item.id] = ", ".join(check.opt("accept"))
    return out


def entries(lang: str = "fr", items=None) -> list:
    """[{"item", "title", "text"}] for these items (default: all), in the assignment's order."""
    if lang not in LANGS:
        raise ValueError("lang must be one of %s" % ", ".join(LANGS))
    texts = load_texts()
    rubric = _rubric()
    titles = {it.id: it.title(lang) for it in rubric.items} if rubric else {}
    true = statements(rubric)
    out = []
    for item in items or ITEMS:
        text = _fill(texts["items"][item][lang], values(item, lang, texts)).strip("\n")
        if item in true:
            text += "\n\n" + _fill(texts["statements"][lang],
                                   {"function": STATEMENT_FUNCTIONS[item], "letters": true[item]})
        out.append({"item": item, "title": titles.get(item, item), "text": text})
    return out


def markdown(lang: str = "fr", items=None) -> str:
    """The answer key as one Markdown page: a title, the conventions, one section per item."""
    texts = load_texts()
    lines = ["# " + texts["title"][lang], "", texts["preamble"][lang].strip("\n"), ""]
    for e in entries(lang, items):
        lines += ["## %s — %s" % (e["item"], e["title"]), "", e["text"], ""]
    return "\n".join(lines)
