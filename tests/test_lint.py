"""Static check of the package, the benchmarks and the tests with pyflakes: no undefined names, no unused imports.

An undefined name is an error that only shows when its line runs; one in
an error path (``analyze`` on a damaged ``dynamics.json``) once turned a
one-line message into a traceback. A line marked ``# noqa`` is exempt (an
import whose side effect or re-export is the point).
"""

from pathlib import Path

import pytest

pyflakes_api = pytest.importorskip("pyflakes.api", reason="needs pyflakes: pip install 'neuroplastic[test]'")

ROOT = Path(__file__).resolve().parents[1]
CHECKED = ("neuroplastic", "benchmarks", "tests")


class _Collect:
    """A pyflakes reporter that keeps its messages."""

    def __init__(self):
        self.problems = []

    def unexpectedError(self, filename, message):
        self.problems.append(f"{filename}: {message}")

    def syntaxError(self, filename, message, lineno, offset, text):
        self.problems.append(f"{filename}:{lineno}: {message}")

    def flake(self, message):
        line = Path(message.filename).read_text(encoding="utf-8").splitlines()[message.lineno - 1]
        if "# noqa" not in line:
            self.problems.append(str(message))


def test_pyflakes_finds_nothing():
    report = _Collect()
    pyflakes_api.checkRecursive([str(ROOT / name) for name in CHECKED], report)
    assert not report.problems, "\n".join(report.problems)


def test_the_check_sees_an_undefined_name(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    raise UnknownError('x')\n\n\nimport os  # noqa: F401\n")
    report = _Collect()
    pyflakes_api.checkRecursive([str(bad)], report)
    assert len(report.problems) == 1 and "undefined name 'UnknownError'" in report.problems[0]
