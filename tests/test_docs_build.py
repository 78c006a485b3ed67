"""The documentation: every command it shows is a valid command line, and Sphinx builds it without warnings."""

import glob
import importlib.util
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from neuroplastic.cli.main import build_parser

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"


def shown_commands():
    """``neuroplastic ...`` lines inside fenced code blocks of docs/*.md (comments stripped)."""
    commands = []
    for page in sorted(DOCS.glob("*.md")):
        for block in re.findall(r"```(?:bash|console|sh)?\n(.*?)```", page.read_text(encoding="utf-8"), re.S):
            for line in block.splitlines():
                line = line.split(" #")[0].strip()
                if line.startswith("neuroplastic "):
                    commands.append((page.name, line))
    return commands


def test_docs_show_commands():
    pages = {page for page, _ in shown_commands()}
    assert {"paper.md", "regimes_and_sweeps.md"} <= pages


@pytest.mark.parametrize("page, command", shown_commands())
def test_every_command_in_the_docs_parses_and_names_existing_model_files(page, command):
    words = shlex.split(command)[1:]
    expanded = []
    for word in words:
        if "*" in word:
            matches = sorted(glob.glob(str(REPO / word)))
            assert matches, f"{page}: {word} matches no file"
            expanded += matches
        else:
            expanded.append(word)
    try:
        build_parser().parse_args(expanded)
    except SystemExit as exc:  # argparse's way of rejecting a command line
        if exc.code != 0:
            pytest.fail(f"{page}: `{command}` is not a valid command line")
    for word in expanded:
        if word.startswith("models/") and word.endswith(".toml"):
            assert (REPO / word).is_file(), f"{page}: {word} does not exist"


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("sphinx") is None or importlib.util.find_spec("myst_parser") is None,
                    reason="needs the docs extras: pip install -e '.[docs]'")
def test_docs_build_without_warnings(tmp_path):
    result = subprocess.run([sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html", str(DOCS),
                             str(tmp_path / "html")], capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 0, result.stderr[-4000:]
    assert (tmp_path / "html" / "api.html").stat().st_size > 10_000


def test_brian2_equations_quoted_in_the_rule_page_are_those_of_the_package():
    import inspect

    from neuroplastic.rule import equations

    source = inspect.getsource(equations)
    page = (DOCS / "rule.md").read_text(encoding="utf-8")
    section = page.split("## The same rule as Brian2 equations")[1].split("\n## ")[0]
    blocks = re.findall(r"```text\n(.*?)```", section, re.S)
    assert len(blocks) >= 4
    for block in blocks:
        for line in block.strip().splitlines():
            assert line.strip() in source, f"rule.md quotes a line not in neuroplastic.rule.equations: {line}"
