"""The command line: --help everywhere, `data`, `validate`, and one-line errors with exit code 2."""

import subprocess
import sys

import pytest

from conftest import MODELS, write_idx_folder
from neuroplastic.cli import build_parser, main


def run_cli(*args, env=None):
    """Run the real console entry point in a subprocess (as a user would)."""
    return subprocess.run(
        [sys.executable, "-m", "neuroplastic", *map(str, args)], capture_output=True, text=True, env=env, timeout=120
    )


def test_help_at_top_level_and_for_every_command(capsys):
    parser = build_parser()
    subcommands = parser._subparsers._group_actions[0].choices
    assert {"data", "validate"} <= set(subcommands)
    for name in [None, *subcommands]:
        with pytest.raises(SystemExit) as exit_info:
            main(["--help"] if name is None else [name, "--help"])
        assert exit_info.value.code == 0
        assert "usage: neuroplastic" in capsys.readouterr().out


def test_validate_accepts_shipped_models(capsys):
    assert main(["validate", str(MODELS / "mnist.toml"), str(MODELS / "paper_126.toml")]) == 0
    out = capsys.readouterr().out
    assert out.count(": ok:") == 2


def test_validate_bad_toml_gives_one_line_and_exit_2(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('[model]\nname = "x"\n[network]\nn_hidden = -5\n')
    result = run_cli("validate", path)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "n_hidden must be a positive integer, got -5" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "damage, message",
    [
        ("truncate", "truncated"),
        ("magic", "bad magic number"),
        ("count", "count mismatch"),
        ("absent", "no such data folder"),
    ],
)
def test_data_errors_give_one_line_and_exit_2(tmp_path, damage, message):
    from conftest import idx_bytes

    folder, arrays = write_idx_folder(tmp_path / "d", compress=False)
    images = folder / "train-images-idx3-ubyte"
    if damage == "truncate":
        images.write_bytes(images.read_bytes()[:-7])
    elif damage == "magic":
        images.write_bytes(b"\x00\x00\x99\x03" + images.read_bytes()[4:])
    elif damage == "count":
        (folder / "train-labels-idx1-ubyte").write_bytes(idx_bytes(arrays["train-labels-idx1-ubyte"][:-1]))
    else:
        folder = tmp_path / "does-not-exist"
    result = run_cli("data", "--data", folder)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert result.stderr.startswith("neuroplastic: error: ")
    assert len(result.stderr.strip().splitlines()) == 1


def test_data_lists_a_folder_with_counts(tmp_path, capsys):
    folder, _ = write_idx_folder(tmp_path / "d")
    assert main(["data", "--data", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "12 train" in out and "6 test" in out
    assert "not the published MNIST content" in out
    assert "mnist-sample" in out and "2,000 train" in out


@pytest.mark.mnist
def test_data_reports_full_mnist_verified(mnist_folder, capsys):
    assert main(["data", "--data", str(mnist_folder)]) == 0
    out = capsys.readouterr().out
    assert "60,000 train" in out and "10,000 test" in out
    assert "verified MNIST (SHA-256)" in out
