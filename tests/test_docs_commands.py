"""Every command the README and the getting-started pages show runs, as a user types it, and succeeds.

The commands are read from the pages (fenced shell blocks and inline code
that starts with ``neuroplastic`` or ``make``) and run with ``bash -c`` in a
scratch folder (``models/`` linked in) or, for ``make``, in the checkout.
Placeholders are filled in and settings reduced as the table below says; the
data are the bundled sample ``mnist-sample``, written as IDX files and named
by ``NEUROPLASTIC_DATA`` (so commands on models that say ``dataset =
"mnist"`` read the sample; nothing is downloaded).

Reduced settings (appended, so they override what the page shows; argparse
keeps the last value):

===================  ===================================================
command              reduction and why
===================  ===================================================
train                ``--quiet --out <tmp>`` (no progress bar; nothing
                     written into the checkout); ``--model ...`` with
                     Brian2 is ``mnist.toml`` cut to 4 hidden units and
                     75 images (as tests/test_brian2_train_cli.py does)
make run             ``ARGS`` gains ``--quiet --out <tmp>``; the
                     interpreter running the tests and its installed venv
                     are used (``PYTHON=``, ``-o <venv>/.installed``)
make test            ``PYTEST_ADDOPTS`` selects one test of this suite
                     (the whole suite is what is running already)
make test-slow       ``PYTEST_ADDOPTS`` selects the headless-browser test
evaluate             ``--images 20 --target numpy`` (no C++ build)
analyze              ``--vib-seeds 1``
compare              ``--hidden 10 --seeds 1 --methods bp rule --no-select``
energy               ``--images 20 --steps 16 --sanafe-images 2``
sweep                one regime file instead of ``models/regimes/*.toml``,
                     ``--seeds 1 --jobs 1 --quiet``, a real field for
                     ``rule.x=a,b``
continual            ``--bp-epochs 1 --bp-hidden 20``
===================  ===================================================

Commands on the run of a full model file, Brian2, Lava, JAX or Dask take
longer than this module's budget (about a minute) and are marked ``slow``.
"""

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from conftest import idx_bytes

REPO = Path(__file__).resolve().parents[1]
PAGES = [REPO / "README.md", REPO / "docs" / "getting_started.md", REPO / "docs" / "tutorial.md"]

#: Appended to each subcommand (see the module docstring).
REDUCED = {
    "train": "--quiet --out {out}",
    "evaluate": "--images 20 --target numpy",
    "analyze": "--vib-seeds 1",
    "compare": "--hidden 10 --seeds 1 --methods bp rule --no-select",
    "energy": "--images 20 --steps 16 --sanafe-images 2",
    "sweep": "--seeds 1 --jobs 1 --quiet",
    "continual": "--bp-epochs 1 --bp-hidden 20",
}

#: Subcommands and make targets that take longer than the default suite allows.
SLOW = {"train", "evaluate", "analyze", "compare", "energy", "sweep", "continual", "export", "make run",
        "make docs", "make test-slow"}
#: Commands (exact) that are slow although their kind is not: another Python's venv may have to be built first,
#: or the command rewrites a tracked file (the pins, from the venv that runs the tests).
SLOW_COMMANDS = {"make test PYTHON=python3.12", "make constraints"}

#: Values for the placeholders the pages use.
PLACEHOLDER_VALUES = {"N": "2", "R": "0.25", "NAME": "mnist_sparse"}
FLAG_VALUES = {"--images": "20", "--seed": "1", "--seeds": "1", "--jobs": "1"}

#: What a successful run prints, per subcommand / make target (a check that it did its work).
EXPECTED_OUTPUT = {
    "data": "mnist-sample", "validate": ": ok:", "train": "test accuracy", "evaluate": "spiking accuracy",
    "analyze": "C_S", "compare": "wall time", "energy": "synaptic ops", "sweep": "cells:",
    "continual": "after all tasks", "report": "report.html", "--help": "usage: neuroplastic",
    "export": "NIR graph", "make run": "test accuracy", "make test": "passed", "make test-slow": "1 ", "make docs": "build succeeded",
    "make venv": "", "make constraints": "wrote constraints-py",
}


def shown_commands():
    """``(page, command)`` for every ``neuroplastic ...`` / ``make ...`` command shown in the pages."""
    found = []
    for page in PAGES:
        if not page.exists():
            continue
        text = page.read_text(encoding="utf-8")
        lines = []
        for block in re.findall(r"```(?:bash|console|sh|shell)?\n(.*?)```", text, re.S):
            lines += [line.split(" #")[0].strip().removeprefix("$ ") for line in block.splitlines()]
        outside = re.sub(r"```.*?```", "", text, flags=re.S)
        lines += re.findall(r"`((?:neuroplastic|make) [^`]+)`", outside)
        for line in lines:
            line = " ".join(line.split())  # inline code may wrap across lines
            if re.match(r"(neuroplastic|make) ", line) and line not in [command for _, command in found]:
                found.append((page.name, line))
    return found


def kind(command):
    """``"train"``, ``"--help"``, ``"make run"``, ... : what the command runs."""
    words = shlex.split(command)
    if words[0] == "make":
        return "make " + (next((w for w in words[1:] if "=" not in w and not w.startswith("-")), "run"))
    return words[1]


def model_setting(command, field):
    """``[training] <field>`` of the model the command names (its own value: schedules check it)."""
    from neuroplastic.config import load_model

    match = re.search(r"--model (\S+)", command)
    return str(getattr(load_model(REPO / match.group(1)).training, field))


def runnable(command, where):
    """The command with placeholders filled and settings reduced; returns (command, extra environment)."""
    what = kind(command)
    env = {}
    command = re.sub(r"\[(--resume)\]", "", command)  # resuming needs an interrupted run: not this test
    command = re.sub(r"\[([^\]]+)\]", r"\1", command)  # optional flags: shown, so run them too
    command = re.sub(r"(\w+)\|\w+", r"\1", command)  # rate|spiking: the first choice
    command = command.replace("--model ...", f"--model {where['brian2_model']}")
    command = command.replace("models/regimes/*.toml", "models/regimes/dense_coding.toml")
    command = command.replace("rule.x=a,b", "training.seed=0,1")
    for flag in re.findall(r"--([a-z]+-epochs) N\b", command):  # the model's own number: schedules check it
        command = command.replace(f"--{flag} N", f"--{flag} {model_setting(command, flag.replace('-', '_'))}")
    for flag, value in FLAG_VALUES.items():
        command = re.sub(rf"{flag} N\b", f"{flag} {value}", command)
    command = command.replace("runs/tutorial", str(where["run"]))  # the tutorial's run: the fixture's trained run
    command = re.sub(r"\bOTHER_RUN\b", str(where["other"]), command)
    command = re.sub(r"\bRUN\b", str(where["run"]), command)
    command = re.sub(r"--data DIR\b", f"--data {where['data']}", command)
    command = re.sub(r"\bDIR\b", str(where["out"]), command)
    command = re.sub(r"--out FILE\b", f"--out {where['out']}.nir", command)
    for name, value in PLACEHOLDER_VALUES.items():
        command = re.sub(rf"(?<=[\s/]){name}\b", value, command)  # models/NAME.toml too
    if what.startswith("make "):
        venv = Path(sys.prefix).resolve()
        if "PYTHON=" not in command and venv.parent == REPO:
            # This interpreter and its installed venv, not reinstalled (the Makefile names the venv by version).
            command += f" PYTHON={shlex.quote(sys.executable)} -o {venv.name}/.installed"
        if what == "make run":
            extra = f"--quiet --out {where['out']}"
            command = (re.sub(r'ARGS="([^"]*)"', rf'ARGS="\1 {extra}"', command) if "ARGS=" in command
                       else f'{command} ARGS="{extra}"')
        elif what == "make test":
            env["PYTEST_ADDOPTS"] = "tests/test_cli_convention.py -k old_energy_spelling"
        elif what == "make test-slow":
            env["PYTEST_ADDOPTS"] = "tests/test_report_html.py -k headless_chromium"
    elif what in REDUCED:
        command += " " + REDUCED[what].format(out=where["out"])
    return command, env


def marks(command):
    what = kind(command)
    return [pytest.mark.slow] if what in SLOW or command in SLOW_COMMANDS else []


COMMANDS = shown_commands()


def test_the_pages_show_commands_of_every_kind():
    kinds = {kind(command) for _, command in COMMANDS}
    assert {"data", "validate", "train", "report", "make run", "make test"} <= kinds


@pytest.fixture(scope="module")
def sample_idx(tmp_path_factory):
    """The bundled sample written as the four IDX files of an MNIST folder."""
    from neuroplastic.datasets import load_sample

    data = load_sample()
    folder = tmp_path_factory.mktemp("mnist-sample-idx")
    for stem, array in {"train-images-idx3-ubyte": data.train.images, "train-labels-idx1-ubyte": data.train.labels,
                        "t10k-images-idx3-ubyte": data.test.images, "t10k-labels-idx1-ubyte": data.test.labels}.items():
        (folder / stem).write_bytes(idx_bytes(np.asarray(array, dtype=np.uint8)))
    return folder


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory, sample_idx):
    """A small finished run (mnist_sparse with 100 hidden units on 600 sample images), written by the runner."""
    from neuroplastic.config import load_model
    from neuroplastic.config.overrides import apply_dotted
    from neuroplastic.runner import train_model

    model = apply_dotted(load_model(REPO / "models" / "mnist_sparse.toml"),
                         {"network.n_hidden": 100, "rule.output.synapses_per_unit": 30,
                          "data.dataset": "mnist-sample", "data.n_train": 600})
    run, _ = train_model(model, out=tmp_path_factory.mktemp("runs") / "sample-run")
    return run.path


def write_brian2_model(path):
    """``models/mnist.toml`` (a model the Brian2 engine runs) cut to 4 hidden units and 75 sample images."""
    from neuroplastic.config import dump_model, load_model, with_overrides

    model = with_overrides(load_model(REPO / "models" / "mnist.toml"),
                           data={"dataset": "mnist-sample", "n_train": 75, "validation_fraction": 0.2},
                           network={"n_hidden": 4}, training={"hidden_epochs": 1, "readout_epochs": 2})
    text = dump_model(model).replace("period = 10000", "period = 30").replace("n_perturbations = 8",
                                                                              "n_perturbations = 1")
    path.write_text(text, encoding="utf-8")
    return path.name


@pytest.fixture
def user(tmp_path, sample_idx, sample_run):
    """A scratch folder set up as a user's: ``models/`` linked in, ``neuroplastic`` on the PATH."""
    (tmp_path / "models").symlink_to(REPO / "models")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "neuroplastic"
    shim.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m neuroplastic "$@"\n')
    shim.chmod(0o755)
    run = tmp_path / "run"
    shutil.copytree(sample_run, run)
    shutil.copytree(sample_run, tmp_path / "other-run")
    (tmp_path / "docs").symlink_to(REPO / "docs")  # the tutorial's model, docs/examples/sample.toml, as from the checkout
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}", NEUROPLASTIC_DATA=str(sample_idx),
               NEUROPLASTIC_OFFLINE="1", XDG_CACHE_HOME=str(tmp_path / "cache"), MPLBACKEND="Agg")
    where = {"run": run, "other": tmp_path / "other-run", "out": tmp_path / "out", "data": sample_idx,
             "brian2_model": write_brian2_model(tmp_path / "tiny_brian2.toml")}
    return tmp_path, env, where


@pytest.mark.parametrize("page, command", [pytest.param(page, command, marks=marks(command), id=f"{page}: {command}")
                                           for page, command in COMMANDS])
def test_shown_command_runs_and_succeeds(page, command, user):
    folder, env, where = user
    line, extra_env = runnable(command, where)
    cwd = REPO if line.startswith("make") else folder
    done = subprocess.run(["bash", "-c", line], cwd=cwd, env=env | extra_env, capture_output=True, text=True,
                          timeout=1800)
    output = done.stdout + done.stderr
    assert done.returncode == 0, f"{line}\n{output[-3000:]}"
    assert EXPECTED_OUTPUT[kind(command)] in output, f"{line}\n{output[-3000:]}"
