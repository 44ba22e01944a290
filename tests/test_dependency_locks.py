"""The dependency locks: every package pinned with hashes, and the locks agree with their inputs.

`make lock` (pip-compile --generate-hashes) writes requirements.txt from requirements.in and
requirements-dev.txt from requirements-dev.in; pip then installs with --require-hashes.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==([^\s\\;]+)")


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _locked(path: Path) -> dict[str, tuple[str, int]]:
    """``{name: (version, number of hashes)}`` of a pip-compile lock file."""
    packages, current = {}, None
    for line in path.read_text().splitlines():
        match = PIN.match(line)
        if match:
            current = _canonical(match.group(1))
            packages[current] = (match.group(3), 0)
        elif current and line.strip().startswith("--hash=sha256:"):
            version, hashes = packages[current]
            packages[current] = (version, hashes + 1)
        elif line and not line.startswith((" ", "#")):
            raise AssertionError(f"{path.name}: unexpected line {line!r}")
    return packages


def _inputs(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text().splitlines():
        match = PIN.match(line.strip())
        if match:
            pins[_canonical(match.group(1))] = match.group(3)
    return pins


def test_every_locked_package_is_pinned_with_a_hash():
    for name in ("requirements.txt", "requirements-dev.txt"):
        packages = _locked(ROOT / name)
        assert len(packages) > 30, name
        unhashed = [package for package, (_, hashes) in packages.items() if hashes == 0]
        assert unhashed == [], f"{name}: no hash for {unhashed}"


def test_the_locks_hold_exactly_the_versions_their_inputs_ask_for():
    runtime, development = _locked(ROOT / "requirements.txt"), _locked(ROOT / "requirements-dev.txt")
    for package, version in _inputs(ROOT / "requirements.in").items():
        assert runtime.get(package, (None,))[0] == version, package
    for package, version in _inputs(ROOT / "requirements-dev.in").items():
        assert development.get(package, (None,))[0] == version, package
    # The development set is the runtime set plus tools, at the same versions.
    assert {package: runtime[package][0] for package in runtime} == {
        package: development[package][0] for package in runtime
    }


def test_the_runtime_lock_holds_no_test_tools():
    runtime = _locked(ROOT / "requirements.txt")
    assert not {"pytest", "playwright", "ruff", "pip-tools", "schemathesis"} & set(runtime)
