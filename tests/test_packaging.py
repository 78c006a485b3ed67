"""Packaging: an installed wheel (not editable) carries the bundled models and profiles and runs from anywhere."""

import importlib.metadata
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from conftest import REPO
from neuroplastic.errors import DependencyError
from neuroplastic.optional import require
from neuroplastic.resources import bundled_dir, bundled_names, find_bundled

SMALL_MODEL = """extends = "mnist_sparse"   # the bundled definition

[model]
name = "small"

[data]
dataset = "mnist-sample"

[network]
n_hidden = 40

[training]
hidden_epochs = 1
readout_epochs = 2

[rule.rewiring]
period = 400
max_synapses_per_unit = 16
synapses_per_unit = 12

[rule.output]
synapses_per_unit = 30
"""


def test_bundled_names_list_every_shipped_file():
    shipped = sorted(p.relative_to(REPO / "models").with_suffix("").as_posix() for p in (REPO / "models").rglob("*.toml"))
    assert bundled_names("models") == shipped and "regimes/fast_turnover" in shipped
    assert "loihi2" in bundled_names("hardware_profiles")
    assert find_bundled("models", "mnist.toml") == bundled_dir("models") / "mnist.toml"
    assert find_bundled("models", "../pyproject") is None


def test_a_missing_backend_names_the_extra_to_install():
    with pytest.raises(DependencyError, match=r"^the X engine needs no_such_backend_xyz, which is not installed: "
                                              r"pip install no_such_backend_xyz$"):
        require("no_such_backend_xyz", "the X engine")
    assert require("numpy", "the NumPy engine").__name__ == "numpy"


def test_the_cli_turns_a_missing_backend_into_one_line_and_exit_2(monkeypatch, capsys):
    import neuroplastic.optional
    from neuroplastic.cli.main import main

    def missing(name):
        raise ModuleNotFoundError(f"No module named {name!r}", name=name.split(".")[0])

    monkeypatch.setattr(neuroplastic.optional.importlib, "import_module", missing)
    assert main(["train", "--engine", "brian2", "--model", "mnist_sparse", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err == "neuroplastic: error: the Brian2 engine needs brian2, which is not installed: " \
                  "pip install 'neuroplastic[brian2]'\n"


def _setuptools_version():
    try:
        return tuple(int(part) for part in importlib.metadata.version("setuptools").split(".")[:2])
    except importlib.metadata.PackageNotFoundError:
        return (0,)


def _copy_source(target):
    ignore = shutil.ignore_patterns(".git", ".venv*", "build", "dist", "runs", "_build", "*.egg-info", "__pycache__",
                                    ".pytest_cache")
    shutil.copytree(REPO, target, ignore=ignore)
    return target


@pytest.mark.slow
@pytest.mark.skipif(_setuptools_version() < (77,), reason="needs setuptools >= 77 to build the wheel (the test extra)")
def test_a_wheel_installed_in_a_fresh_venv_runs_from_outside_the_checkout(tmp_path):
    """Build a wheel from a clean copy, install it (not editable) into a new venv, run the CLI from a temp folder.

    The new venv sees this environment's third-party packages through a ``.pth`` line (no downloads), but
    ``neuroplastic`` itself comes only from the wheel: the models and profiles must be inside it.
    """
    source = _copy_source(tmp_path / "src")
    wheels = tmp_path / "wheels"
    quiet = {"capture_output": True, "text": True}
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                            "-w", str(wheels), str(source)], **quiet)
    assert built.returncode == 0, built.stderr[-3000:]
    wheel = next(wheels.glob("neuroplastic-*.whl"))

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               check=True, **quiet).stdout.strip())
    (site / "_dev_packages.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    installed = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index",
                                "--target", str(site), str(wheel)], **quiet)
    assert installed.returncode == 0, installed.stderr[-3000:]
    assert (site / "neuroplastic" / "bundled" / "models" / "regimes").is_dir()

    work = tmp_path / "elsewhere"
    work.mkdir()
    # Only the bundled sample: the small model and energy on its run read mnist-sample, never a data folder.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "NEUROPLASTIC_DATA")} | {
        "NEUROPLASTIC_OFFLINE": "1", "MPLBACKEND": "Agg", "XDG_CACHE_HOME": str(tmp_path / "cache")}

    def cli(*args):
        done = subprocess.run([str(python), "-m", "neuroplastic", *args], cwd=work, env=env, timeout=600, **quiet)
        assert done.returncode == 0, f"neuroplastic {' '.join(args)}: {done.stderr[-3000:]}"
        return done.stdout

    where = subprocess.run([str(python), "-c", "import neuroplastic; print(neuroplastic.__file__)"], cwd=work,
                           env=env, check=True, **quiet).stdout
    assert Path(where.strip()).is_relative_to(site)
    assert "mnist_sparse: ok" in cli("validate", "mnist_sparse", "mnist", "regimes/fast_turnover")
    (work / "small.toml").write_text(SMALL_MODEL)
    assert "test accuracy" in cli("train", "--model", "small.toml", "--out", "run", "--quiet")
    assert (work / "run" / "network.npz").is_file()
    assert "extends" not in (work / "run" / "model.toml").read_text()
    energy = cli("energy", "run", "--profile", "loihi2", "--images", "20", "--backend", "numpy")
    assert "loihi2" in energy and "synaptic ops" in energy
