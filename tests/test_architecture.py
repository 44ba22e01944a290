"""The house's plan as tests: the apps' arrows (import-linter's contracts in .importlinter) and room sizes.

`make lint` and CI run `lint-imports` too; running the contracts here means `make test` alone also catches
an app reaching "up" the day it happens.
"""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("accounts", "vacancies", "screening", "chat", "smartbot")
# STYLE.md: split a room into a package when it grows past ~600 lines.
MAX_MODULE_LINES = 600
CHAT_IMPORT = re.compile(r"^\s*(from\s+chat[\s.]|import\s+chat\b)", re.MULTILINE)


def test_the_import_contracts_are_kept():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "BROKEN" not in result.stdout


def test_screening_imports_nothing_from_chat_not_even_by_name():
    # A prefetch by name or a template include of another app's partial is a dependency too.
    offenders = []
    for path in (ROOT / "screening").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if CHAT_IMPORT.search(text):
            offenders.append(str(path.relative_to(ROOT)))
    for path in (ROOT / "templates" / "screening").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        if '"chat/' in text or "'chat/" in text:
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_no_production_module_outgrows_its_room():
    too_long = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            parts = path.relative_to(ROOT).parts
            if "tests" in parts or "migrations" in parts:
                continue
            lines = len(path.read_text(encoding="utf-8").splitlines())
            if lines > MAX_MODULE_LINES:
                too_long[str(path.relative_to(ROOT))] = lines
    assert too_long == {}
