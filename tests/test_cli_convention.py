"""Every subcommand follows one convention: an example in --help, --data DIR and --out DIR spelled and
explained alike, --json everywhere, --compare with one meaning, usage errors in one line with exit code 2."""

import argparse
import re

import pytest

from neuroplastic.cli.main import build_parser, main
from neuroplastic.cli.options import DATA_HELP


def subcommands():
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return action.choices


def visible_options(sub):
    """``{flag: action}`` of the options shown in --help."""
    return {flag: action for action in sub._actions if action.help != argparse.SUPPRESS
            for flag in action.option_strings}


NAMES = sorted(subcommands())


def test_there_are_subcommands_to_check():
    assert {"train", "evaluate", "analyze", "energy", "report", "data"} <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_help_shows_an_example_of_this_command(name, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([name, "--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    assert "\nexample:\n" in text
    examples = text.split("\nexample:\n", 1)[1].splitlines()
    assert examples and all(line.startswith(f"  neuroplastic {name}") for line in examples if line.strip())


@pytest.mark.parametrize("name", NAMES)
def test_flags_follow_the_convention(name):
    options = visible_options(subcommands()[name])
    assert "--json" in options, f"{name} prints figures but has no --json"
    assert options["--json"].nargs == 0
    for flag in options:
        assert re.fullmatch(r"--[a-z0-9]+(-[a-z0-9]+)*|-h", flag), f"{name} {flag}: not --lower-kebab-case"
        assert not (flag.startswith("--data") and flag != "--data"), f"{name} {flag}: the data flag is --data"
        assert flag not in ("--output", "--out-dir", "--outdir", "--output-dir"), f"{name} {flag}: use --out"
    if "--data" in options:
        assert options["--data"].metavar == "DIR" and options["--data"].help == DATA_HELP
    if "--out" in options:  # where the command writes: a folder, or the file of a command that writes one
        assert options["--out"].metavar in ("DIR", "FILE")
        assert options["--out"].required is False, f"{name} --out: give it a default instead of requiring it"
    if "--compare" in options:  # one meaning: another run (folder or saved network) set beside this one
        assert options["--compare"].metavar == "OTHER" and "run folder" in options["--compare"].help


def test_the_old_energy_spelling_still_works_but_is_hidden(capsys):
    parser = build_parser()
    args = parser.parse_args(["energy", "RUN", "--data-dir", "somewhere"])
    assert args.data == "somewhere"
    assert "deprecated" in capsys.readouterr().err
    assert "--data-dir" not in visible_options(subcommands()["energy"])
    args = parser.parse_args(["report", "RUN", "--compare", "results"])
    assert args.compare_results == "results" and "use --compare-results" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["train", "--epochs", "many"], ["energy"], ["no-such-command"],
                                  ["report", "RUN", "--bogus"]])
def test_usage_errors_are_one_line_and_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("neuroplastic: error: ") and captured.err.count("\n") == 1


#: Library messages that may name a command-line flag, and why.
FLAG_MESSAGES_ALLOWED = {
    # The data-not-found message must say what to do next at the command line (--data DIR).
    "datasets/locate.py",
}


def test_library_errors_do_not_name_command_line_flags():
    """Library code is called from Python too: its errors name parameters and files, not --flags."""
    from pathlib import Path

    import neuroplastic

    package = Path(neuroplastic.__file__).parent
    offenders = []
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package).as_posix()
        if relative.startswith("cli/") or relative in FLAG_MESSAGES_ALLOWED:
            continue
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"(?:Error|Exception)\((?:[^()]|\([^()]*\))*?\)", text, re.S):
            if re.search(r"""["'][^"']*(?<![\w-])--[a-z][a-z-]+""", match.group(0)):
                offenders.append(f"{relative}: {match.group(0)[:80]}")
    assert not offenders, "\n".join(offenders)
