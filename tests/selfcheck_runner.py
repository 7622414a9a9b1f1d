"""Run the student self-check (student_template/autoverification.py) on many files in one
process, as tests/test_selfcheck_parity.py needs: argv[1] is a JSON file [[name, path], ...];
prints one JSON line per file: [name, the self-check's records (autoverification.run)]."""
import io
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "student_template"))
import autoverification  # noqa: E402

for name, path in json.loads(Path(sys.argv[1]).read_text(encoding="utf-8")):
    records = []
    autoverification.run(path, io.StringIO(), records)
    sys.stdout.write(json.dumps([name, records], ensure_ascii=False) + "\n")
    sys.stdout.flush()
