"""docs/security.md names the test that proves each defence: every one it names must exist, so
the document cannot quietly drift from the suite."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# A file, optionally with a test (`tests/x.py::test_y`), or a test of the file named last in the
# same paragraph (`::test_z`), which may sit on a later line of that paragraph.
REFERENCE = re.compile(r"`(tests/[\w/]+\.py)?::(\w+)`|`(tests/[\w/]+\.py)`")


def function_names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}


def test_every_test_the_threat_model_cites_exists():
    text = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    cited, missing = 0, []
    current = None
    for line in text.splitlines():
        if not line.strip():
            current = None
        for match in REFERENCE.finditer(line):
            named = match[1] or match[3]
            if named:
                current = named
                if not (ROOT / named).is_file():
                    missing.append(named)
                    continue
            test = match[2]
            if test is None:
                continue
            cited += 1
            if current is None:
                missing.append(f"::{test} (no file named before it in its paragraph)")
            elif (ROOT / current).is_file() and test not in function_names(ROOT / current):
                missing.append(f"{current}::{test}")
    assert cited > 20
    assert not missing, missing
