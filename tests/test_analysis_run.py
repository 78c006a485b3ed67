"""``analyze RUN``: figures computed from a run folder's network and model, merged into its metrics."""

import json

import numpy as np
import pytest

from conftest import needs_jax

MODEL_TOML = """
[model]
name = "tiny-126"

[network]
n_hidden = 6
activation = "relu"

[data]
dataset = "mnist-sample"
classes = [1, 2, 6]
validation_fraction = 0.1

[training]
seed = 0
"""


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory):
    from neuroplastic.analysis.run import run_data
    from neuroplastic.baselines import ConstrainedBackpropClassifier
    from neuroplastic.config import parse_model
    from neuroplastic.runs import RunFolder

    model = parse_model(MODEL_TOML, source="test")
    train, _ = run_data(model)
    clf = ConstrainedBackpropClassifier(n_hidden=6, epochs=5, l1=1e-4, random_state=0).fit(train.X, train.y)
    run = RunFolder(tmp_path_factory.mktemp("run"))
    run.write_text(RunFolder.MODEL, MODEL_TOML)
    clf.to_network().save(run.file(RunFolder.NETWORK))
    run.update_metrics(test_accuracy=0.5, model="tiny-126")
    return run


@needs_jax
def test_analyze_run_writes_analysis_and_merges_metrics(run_folder):
    from neuroplastic.analysis import analyze_run
    from neuroplastic.network import TrainedNetwork

    figures = analyze_run(run_folder.path, vib_seeds=(0, 1), vib_settings={"epochs": 3})
    network = TrainedNetwork.load(run_folder.file("network.npz"))
    assert figures["nonsilent_hidden"] == network.n_nonsilent["hidden"]
    assert figures["c_s"] == pytest.approx(figures["i_xz_bits"] / figures["nonsilent_hidden"])
    assert len(figures["i_xz_bits_per_seed"]) == 2
    assert figures["vib_settings"]["epochs"] == 3
    saved = json.loads(run_folder.file("analysis.json").read_text())
    assert saved["i_xz_bits"] == pytest.approx(figures["i_xz_bits"])
    assert "lognormal_fit_of_magnitudes" in saved["weight_statistics"]["hidden"]
    assert saved["neurobench"]["connection_sparsity"] == pytest.approx(
        1 - network.n_nonsilent["total"] / network.n_potential["total"])
    metrics = json.loads(run_folder.file("metrics.json").read_text())
    assert metrics["test_accuracy"] == 0.5 and metrics["model"] == "tiny-126"  # earlier figures kept
    assert metrics["c_s"] == pytest.approx(figures["c_s"])
    assert metrics["i_xz_bits_sd"] == pytest.approx(np.std(figures["i_xz_bits_per_seed"], ddof=1))


def test_analyze_run_refuses_a_folder_without_a_network(tmp_path):
    from neuroplastic.analysis import analyze_run
    from neuroplastic.errors import NeuroplasticError

    (tmp_path / "model.toml").write_text(MODEL_TOML)
    with pytest.raises(NeuroplasticError, match="network.npz: missing"):
        analyze_run(tmp_path)


def _overparam_case():
    from neuroplastic.baselines import PrunedBackpropClassifier
    from neuroplastic.datasets import load_sample

    data = load_sample().with_classes([0, 1])
    train, val = data.train.stratified_split(0.25, seed=0)
    ours = PrunedBackpropClassifier(n_hidden=4, epochs=3, target_sparsity=0.95, random_state=0).fit(
        train.X, train.y).to_network()
    return ours, train, val, data.test


@needs_jax
def test_overparameterisation_search_finds_the_smallest_matching_bp_size_on_validation():
    from neuroplastic.analysis import overparameterisation_factor

    ours, train, val, test = _overparam_case()
    result = overparameterisation_factor(ours, train.X, train.y, val.X, val.y, X_test=test.X, y_test=test.y,
                                         max_hidden=4, bp_params={"epochs": 3})
    assert result["selected_on"] == "validation"
    assert result["target_accuracy"] == pytest.approx(ours.score(val.X, val.y))
    assert result["our_test_accuracy"] == pytest.approx(ours.score(test.X, test.y))
    assert 0.0 <= result["bp_test_accuracy"] <= 1.0
    curve = {point["hidden"]: point["accuracy"] for point in result["curve"]}
    if result["matched"]:
        assert curve[result["bp_hidden"]] >= result["target_accuracy"]
        assert all(acc < result["target_accuracy"] for h, acc in curve.items() if h < result["bp_hidden"])
        assert result["factor"] == pytest.approx(result["bp_hidden"] * (784 + 2) / ours.n_nonsilent["total"])
    else:
        assert all(acc < result["target_accuracy"] for acc in curve.values())
    assert result["factor"] > 1  # a 95%-sparse network beats any dense one of the same size


@needs_jax
def test_overparameterisation_choice_does_not_depend_on_the_test_set():
    from neuroplastic.analysis import overparameterisation_factor

    ours, train, val, test = _overparam_case()
    kwargs = {"max_hidden": 4, "bp_params": {"epochs": 3}}
    honest = overparameterisation_factor(ours, train.X, train.y, val.X, val.y, X_test=test.X, y_test=test.y,
                                         **kwargs)
    flipped = overparameterisation_factor(ours, train.X, train.y, val.X, val.y, X_test=test.X, y_test=1 - test.y,
                                          **kwargs)
    assert flipped["curve"] == honest["curve"] and flipped["bp_hidden"] == honest["bp_hidden"]
    assert flipped["bp_test_accuracy"] == pytest.approx(1 - honest["bp_test_accuracy"])


@needs_jax
def test_overparameterisation_without_a_validation_split_is_a_user_error():
    from neuroplastic.analysis import overparameterisation_factor
    from neuroplastic.errors import DataError

    ours, train, val, test = _overparam_case()
    with pytest.raises(DataError, match="validation split"):
        overparameterisation_factor(ours, train.X, train.y, val.X[:0], val.y[:0], max_hidden=2)


@needs_jax
def test_analyze_run_searches_bp_on_the_runs_own_validation_split(run_folder):
    from neuroplastic.analysis import analyze_run
    from neuroplastic.analysis.run import run_splits
    from neuroplastic.config import parse_model
    from neuroplastic.network import TrainedNetwork

    figures = analyze_run(run_folder.path, vib_seeds=(0,), vib_settings={"epochs": 1}, overparameterisation=True,
                          max_hidden=2)
    _, validation, test = run_splits(parse_model(MODEL_TOML, source="test"))
    network = TrainedNetwork.load(run_folder.file("network.npz"))
    over = figures["overparameterisation"]
    assert len(validation) > 0 and over["selected_on"] == "validation"
    assert over["target_accuracy"] == pytest.approx(network.score(validation.X, validation.y))
    assert over["our_test_accuracy"] == pytest.approx(network.score(test.X, test.y))


@needs_jax
def test_analyze_command_prints_the_figures_and_exits_0(run_folder, capsys):
    from neuroplastic.cli.main import main

    assert main(["analyze", str(run_folder.path), "--vib-seeds", "2"]) == 0
    out = capsys.readouterr().out
    assert "I(X;Z)" in out and "C_S" in out
    assert "NeuroBench" in out and "Effective_MACs" in out
    assert json.loads(run_folder.file("metrics.json").read_text())["i_xz_bits"] > 0


def test_analyze_command_on_a_missing_folder_is_a_one_line_error(tmp_path, capsys):
    from neuroplastic.cli.main import main

    assert main(["analyze", str(tmp_path / "nowhere")]) == 2
    assert capsys.readouterr().err.startswith("neuroplastic: error:")


def test_a_damaged_dynamics_file_is_a_one_line_error_naming_it(tmp_path):
    from neuroplastic.analysis.run import synapse_dynamics
    from neuroplastic.errors import DataError
    from neuroplastic.runs import RunFolder

    (tmp_path / "dynamics.json").write_text('{"grown": 3, ')  # cut short
    with pytest.raises(DataError, match="dynamics.json: unreadable"):
        synapse_dynamics(RunFolder(tmp_path))
