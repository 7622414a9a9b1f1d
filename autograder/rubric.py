"""Load and validate rubric.yaml into frozen dataclasses.

Errors name the line and the key, so a typo in the rubric is found at load time,
not halfway through grading a class.
"""
from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from .budget import Budget

RUBRIC_PATH = Path(__file__).with_name("rubric.yaml")

KINDS = {"values", "form", "uses_name", "derivation", "exact", "property",
         "counterexample", "conv_chain", "conv_config"}
COMMON_KEYS = {"id", "title", "points", "kind", "function", "requires", "fail", "details"}
KIND_KEYS = {
    "values": {"cases", "with", "args", "expect", "variants", "same_variant_as", "pointwise",
               "within", "within_where_zero", "compare_as", "no_symbolic_rescue", "rename",
               "each", "where", "rtol", "atol", "traps", "distinguish", "exact_formula"},
    "form": {"symbols", "only_inside", "allowed", "rtol", "atol"},
    "uses_name": {"names"},
    "derivation": {"part", "symbols", "each", "target", "opaque", "must_contain", "free_of",
                   "only_inside", "forbid", "idea", "idea_in_start", "idea_before_step", "rtol", "atol"},
    "exact": {"cases", "with", "args", "expect", "accept", "compare", "key", "each", "where", "premises",
              "choices"},
    "property": {"cases", "with", "args", "property", "expect", "each", "where", "rtol", "atol"},
    "counterexample": set(),
    "conv_chain": {"key"},
    "conv_config": {"part", "item", "cases", "with"},
}
DETAILS_DEFAULT = {"values": "visible", "form": "visible", "uses_name": "visible",
                   "derivation": "visible", "property": "visible", "exact": "after_due_date",
                   "counterexample": "visible", "conv_chain": "after_due_date",
                   "conv_config": "after_due_date"}
VISIBILITIES = {"visible", "hidden", "after_due_date", "after_published"}
REVEAL_CHOICES = ("never", "after_due_date", "after_published")


class RubricError(ValueError):
    pass


@dataclass(frozen=True)
class Text:
    fr: str
    en: str

    def __call__(self, lang: str) -> str:
        return self.en if lang == "en" else self.fr


@dataclass(frozen=True)
class Check:
    id: str
    points: float
    kind: str
    function: str | None
    requires: tuple
    fail: Text
    details: str
    options: dict = field(hash=False, compare=False)
    line: int = 0
    title: Text = Text("", "")

    def opt(self, key, default=None):
        return self.options.get(key, default)


@dataclass(frozen=True)
class Item:
    id: str
    title: Text
    points: float
    bonus: bool
    visibility: str
    checks: tuple
    line: int = 0

    @property
    def functions(self) -> list:
        return sorted({c.function for c in self.checks if c.function})


@dataclass(frozen=True)
class Rubric:
    title: str
    student_file: str
    language: str
    seed: int
    bonus_in_results: str
    rtol: float
    atol: float
    limits: dict
    messages: dict
    items: tuple
    # Where expected values may appear: never (default: nowhere in results.json), or in a
    # 0-point test visible after_due_date / after_published (hides the total score until then).
    reveal_expected: str = "never"
    # How many submissions per window get the diagnoses (autograder/budget.py); count None: all.
    budget: Budget = Budget()

    @property
    def regular_points(self) -> float:
        return sum(i.points for i in self.items if not i.bonus)

    @property
    def bonus_points(self) -> float:
        return sum(i.points for i in self.items if i.bonus)

    def functions(self) -> list:
        return sorted({f for item in self.items for f in item.functions})


def yaml_loader():
    """libyaml's safe loader when PyYAML has it (the pure-Python one is about 8x slower), for every
    YAML file of the grader. PyYAML is imported only by what parses YAML."""
    import yaml
    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Map(dict):
    line = 0


@functools.lru_cache(maxsize=1)
def _line_loader():
    """A safe loader whose mappings remember their line (for error messages)."""
    import yaml

    class LineLoader(yaml_loader()):
        pass

    def construct_map(loader, node):
        m = _Map(loader.construct_mapping(node, deep=True))
        m.line = node.start_mark.line + 1
        return m
    LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_map)
    return LineLoader


def _err(where, msg):
    line = getattr(where, "line", 0)
    raise RubricError("rubric.yaml, line %d: %s" % (line, msg))


def _text(m, key, where) -> Text:
    t = m.get(key)
    if not isinstance(t, dict) or not isinstance(t.get("fr"), str) or not isinstance(t.get("en"), str):
        _err(where, "%r must have 'fr' and 'en' texts" % key)
    return Text(t["fr"], t["en"])


def _points(v, where, key="points") -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or v <= 0:
        _err(where, "%r must be a positive number" % key)
    if abs(v * 4 - round(v * 4)) > 1e-9:
        _err(where, "%r must be a multiple of 0.25 (got %r)" % (key, v))
    return float(v)


def load(path: Path | str = RUBRIC_PATH, expected: tuple | None = (48, 10)) -> Rubric:
    """The rubric at `path`, validated (a RubricError names the line and the key). The course's
    rubric.yaml, once parsed and checked, is kept beside the reference answers (keep(), by
    answers.precompute): every later process (the Gradescope supervisor and worker, a batch's
    workers) reads it back instead of importing PyYAML and checking it again."""
    from . import answers
    if Path(path) == RUBRIC_PATH:
        kept = answers.read_pickle(_kept_name(expected))
        if isinstance(kept, Rubric):
            return kept
    return _parse(path, expected)


def keep(expected: tuple | None = (48, 10)) -> Rubric:
    """Parse the course's rubric and keep it for load() (answers.py's folder)."""
    from . import answers
    rubric = _parse(RUBRIC_PATH, expected)
    answers.write_pickle(_kept_name(expected), rubric)
    return rubric


def _kept_name(expected) -> str:
    """Named by the rubric's text and this loader's code: any change is parsed again."""
    h = hashlib.sha256(repr(expected).encode())
    for p in (RUBRIC_PATH, Path(__file__), Path(__file__).with_name("budget.py")):
        h.update(p.read_bytes())
    return "rubric-%s.pickle" % h.hexdigest()[:24]


def _parse(path, expected) -> Rubric:
    import yaml
    with open(path, encoding="utf-8") as f:
        try:
            raw = yaml.load(f, Loader=_line_loader())  # noqa: S506 - a SafeLoader subclass
        except yaml.YAMLError as exc:
            raise RubricError("rubric.yaml is not valid YAML: %s" % exc) from None
    for key in ("title", "student_file", "items", "messages"):
        if key not in raw:
            _err(raw, "missing top-level key %r" % key)
    messages = {k: _text(raw["messages"], k, raw["messages"]) for k in raw["messages"]}
    tol = raw.get("tolerances", {})
    feedback = raw.get("feedback") or {}
    if not isinstance(feedback, dict) or set(feedback) - {"reveal_expected", "diagnosed_submissions"}:
        _err(raw, "feedback takes reveal_expected and diagnosed_submissions only")
    items, seen = [], set()
    for it in raw["items"]:
        if not isinstance(it, dict):
            _err(raw, "each item must be a mapping")
        for key in ("id", "title", "points", "checks"):
            if key not in it:
                _err(it, "item is missing %r" % key)
        unknown = set(it) - {"id", "title", "points", "checks", "bonus", "visibility"}
        if unknown:
            _err(it, "item %s: unknown key(s) %s" % (it["id"], ", ".join(sorted(unknown))))
        if it["id"] in seen:
            _err(it, "duplicate item id %r" % it["id"])
        seen.add(it["id"])
        vis = it.get("visibility", "visible")
        if vis not in VISIBILITIES:
            _err(it, "visibility must be one of %s" % sorted(VISIBILITIES))
        checks, ids = [], set()
        for c in it["checks"]:
            checks.append(_check(c, ids, it))
            ids.add(c["id"])
        item = Item(str(it["id"]), _text(it, "title", it), _points(it["points"], it),
                    bool(it.get("bonus", False)), vis, tuple(checks), it.line)
        total = sum(c.points for c in checks)
        if abs(total - item.points) > 1e-9:
            _err(it, "item %s: its checks add up to %g points, not %g" % (item.id, total, item.points))
        items.append(item)
    rubric = Rubric(raw["title"], raw["student_file"], raw.get("language", "fr"), int(raw.get("seed", 0)),
                    raw.get("bonus_in_results", "zero_max"), float(tol.get("rtol", 1e-6)),
                    float(tol.get("atol", 1e-9)), dict(raw.get("limits", {})), messages, tuple(items),
                    str(feedback.get("reveal_expected", "never")), _budget(feedback, raw))
    if rubric.reveal_expected not in REVEAL_CHOICES:
        _err(raw, "feedback.reveal_expected must be one of %s" % ", ".join(REVEAL_CHOICES))
    if rubric.bonus_in_results not in ("zero_max", "own_max"):
        _err(raw, "bonus_in_results must be zero_max or own_max")
    if expected and (rubric.regular_points, rubric.bonus_points) != tuple(map(float, expected)):
        raise RubricError("rubric.yaml: points add up to %g + %g bonus, expected %g + %g" % (
            rubric.regular_points, rubric.bonus_points, *expected))
    return rubric


def _budget(feedback, where) -> Budget:
    """feedback.diagnosed_submissions: {count: 3, hours: 24} (the default when absent); count null
    turns the budget off (every submission diagnosed)."""
    raw = feedback.get("diagnosed_submissions", {})
    if not isinstance(raw, dict) or set(raw) - {"count", "hours"}:
        _err(where, "feedback.diagnosed_submissions takes count and hours only")
    count, hours = raw.get("count", Budget.count), raw.get("hours", Budget.hours)
    if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 1):
        _err(where, "feedback.diagnosed_submissions.count must be a positive integer or null")
    if isinstance(hours, bool) or not isinstance(hours, (int, float)) or not 0 < hours <= 24 * 365:
        _err(where, "feedback.diagnosed_submissions.hours must be a positive number of hours")
    return Budget(count, float(hours))


def _check(c, ids, item) -> Check:
    if not isinstance(c, dict):
        _err(item, "each check must be a mapping")
    for key in ("id", "points", "kind", "fail"):
        if key not in c:
            _err(c, "check is missing %r" % key)
    kind = c["kind"]
    if kind not in KINDS:
        _err(c, "unknown kind %r (known: %s)" % (kind, ", ".join(sorted(KINDS))))
    unknown = set(c) - COMMON_KEYS - KIND_KEYS[kind]
    if unknown:
        _err(c, "check %s: unknown key(s) for kind %s: %s" % (c["id"], kind, ", ".join(sorted(unknown))))
    if c["id"] in ids:
        _err(c, "duplicate check id %r" % c["id"])
    req = c.get("requires", ())
    req = (req,) if isinstance(req, str) else tuple(req)
    for r in req:
        if r not in ids:
            _err(c, "requires %r, which is not an earlier check of this item" % r)
    details = c.get("details", DETAILS_DEFAULT[kind])
    if details not in ("visible", "after_due_date"):
        _err(c, "details must be visible or after_due_date")
    if kind not in ("conv_chain",) and not c.get("function"):
        _err(c, "check %s needs a 'function'" % c["id"])
    if "exact_formula" in c:
        _exact_formula(c)
    options = {k: v for k, v in c.items() if k not in COMMON_KEYS}
    title = _text(c, "title", c) if "title" in c else Text(str(c["id"]), str(c["id"]))
    return Check(str(c["id"]), _points(c["points"], c), kind, c.get("function"), req,
                 _text(c, "fail", c), details, options, c.line, title)


FORMULA_DOMAINS = {"real", "positive", "negative", "simplex"}


def _exact_formula(c):
    """exact_formula: {symbols: {argument: domain}}: the arguments read as symbols (the others
    keep the graded cases' values) and where their seeded points lie (autograder/exactness.py)."""
    spec = c["exact_formula"]
    syms = spec.get("symbols") if isinstance(spec, dict) else None
    if not isinstance(syms, dict) or not syms or set(spec) - {"symbols"}:
        _err(c, "exact_formula must be {symbols: {argument: domain}}")
    for arg, domain in syms.items():
        if arg not in c.get("args", []) or domain not in FORMULA_DOMAINS:
            _err(c, "exact_formula: %r must be an argument of the check and %r one of %s"
                 % (arg, domain, ", ".join(sorted(FORMULA_DOMAINS))))
