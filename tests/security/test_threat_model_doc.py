"""docs/security.md names the test that proves each defence: every one it names must exist, so
the document cannot quietly drift from the suite."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = re.compile(r"`(tests/[\w/]+\.py)(?:::(\w+))?`")
FOLLOWING = re.compile(r"`::(\w+)`")


def function_names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}


def test_every_test_the_threat_model_cites_exists():
    text = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    cited, missing = 0, []
    for line in text.splitlines():
        current = None
        for match in REFERENCE.finditer(line):
            current = ROOT / match[1]
            if not current.is_file():
                missing.append(match[1])
                continue
            if match[2]:
                cited += 1
                if match[2] not in function_names(current):
                    missing.append(f"{match[1]}::{match[2]}")
        for name in FOLLOWING.findall(line):
            if current is not None and current.is_file():
                cited += 1
                if name not in function_names(current):
                    missing.append(f"{current.relative_to(ROOT)}::{name}")
    assert cited > 20
    assert not missing, missing
