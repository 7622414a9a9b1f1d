"""Gradescope's results.json specification, as a checker (the keys and types it documents)."""
TOP_KEYS = {"score", "execution_time", "output", "output_format", "test_output_format", "test_name_format",
            "visibility", "stdout_visibility", "extra_data", "tests", "leaderboard"}
TEST_KEYS = {"score", "max_score", "status", "name", "name_format", "number", "output", "output_format",
             "tags", "visibility", "extra_data"}
VISIBILITY = {"visible", "hidden", "after_due_date", "after_published"}
FORMATS = {"text", "html", "simple_format", "md", "ansi"}


def problems(data) -> list:
    """Everything in data that the specification does not allow (empty when valid)."""
    out = []
    if not isinstance(data, dict):
        return ["top level is not an object"]
    out += ["unknown top-level key %r" % k for k in set(data) - TOP_KEYS]
    if "score" not in data and "tests" not in data:
        out.append("needs score or tests")
    if "score" in data and not _num(data["score"]):
        out.append("score is not a number")
    for key in ("visibility", "stdout_visibility"):
        if key in data and data[key] not in VISIBILITY:
            out.append("%s is %r" % (key, data[key]))
    if "output_format" in data and data["output_format"] not in FORMATS:
        out.append("output_format is %r" % data["output_format"])
    for i, t in enumerate(data.get("tests", [])):
        if not isinstance(t, dict):
            out.append("test %d is not an object" % i)
            continue
        out += ["test %d: unknown key %r" % (i, k) for k in set(t) - TEST_KEYS]
        for key in ("score", "max_score"):
            if key in t and not _num(t[key]):
                out.append("test %d: %s is not a number" % (i, key))
        if t.get("status", "passed") not in ("passed", "failed"):
            out.append("test %d: status %r" % (i, t["status"]))
        if t.get("visibility", "visible") not in VISIBILITY:
            out.append("test %d: visibility %r" % (i, t["visibility"]))
        for key in ("name", "output", "number"):
            if key in t and not isinstance(t[key], str):
                out.append("test %d: %s is not a string" % (i, key))
    return out


def _num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)
