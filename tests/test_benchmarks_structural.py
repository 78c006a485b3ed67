"""benchmarks/structural.py: its summaries, and a figure drawn from several of its outputs."""

import json

import pytest
from benchmark_scripts import load_benchmark


@pytest.fixture(scope="module")
def structural():
    return load_benchmark("structural")


def _row(test):
    return {"val": test - 0.01, "test": test, "synapses": 16000, "seconds": 2.0}


def test_summary_is_the_mean_and_sample_sd_over_seeds(structural):
    summary = structural.summarise({"structural": [_row(0.96), _row(0.97), _row(0.98)], "set": [_row(0.95), None]})
    assert summary["structural"]["test"] == pytest.approx(0.97)
    assert summary["structural"]["test_std"] == pytest.approx(0.01)  # ddof=1: sqrt((1e-4 + 0 + 1e-4) / 2)
    assert summary["structural"]["n_seeds"] == 3
    assert summary["set"]["n_seeds"] == 1 and summary["set"]["test_std"] == 0.0


def test_figure_from_earlier_outputs_merges_their_variants(structural, tmp_path, capsys):
    first = {"results": {"mnist_sparse": {"summary": structural.summarise({"structural": [_row(0.96), _row(0.97)]})}}}
    second = {"results": {"mnist_sparse": {"summary": structural.summarise({"set": [_row(0.95)]})},
                          "mnist": {"summary": structural.summarise({"dense_bp": [_row(0.97)]})}}}
    paths = []
    for i, doc in enumerate((first, second)):
        paths.append(tmp_path / f"{i}.json")
        paths[-1].write_text(json.dumps(doc), encoding="utf-8")
    merged = structural.merge_outputs(paths)
    assert set(merged["mnist_sparse"]["summary"]) == {"structural", "set"}
    assert set(merged["mnist"]["summary"]) == {"dense_bp"}
    figure = tmp_path / "pareto.png"
    structural.main(["--figure", str(figure), "--figure-from", *map(str, paths)])
    assert figure.stat().st_size > 1000
    assert json.loads(capsys.readouterr().out)["figure"] == str(figure)


def test_merged_summaries_come_from_the_per_seed_runs_when_present(structural, tmp_path):
    runs = {"structural": [_row(0.96), _row(0.98)]}
    stale = {"structural": {"val": 0.5, "test": 0.5, "synapses": 1.0, "seconds": 1.0, "test_std": 0.0, "n_seeds": 2}}
    path = tmp_path / "out.json"
    path.write_text(json.dumps({"results": {"m": {"runs": runs, "summary": stale}}}), encoding="utf-8")
    summary = structural.merge_outputs([path])["m"]["summary"]["structural"]
    assert summary["test"] == pytest.approx(0.97) and summary["test_std"] == pytest.approx(0.0141421, rel=1e-4)


def test_baselines_without_the_rule_take_the_models_own_synapse_count(structural):
    from neuroplastic.config import load_model

    sparse = load_model(structural.MODELS / "mnist_sparse.toml")
    r, out = sparse.rule.rewiring, sparse.rule.output
    assert structural.model_synapses(sparse) == sparse.network.n_hidden * r.budget + 10 * out.synapses_per_unit
    default = load_model(structural.MODELS / "mnist.toml")
    assert default.rule.output.synapses_per_unit is None  # a dense readout: every hidden unit reaches every class
    assert structural.model_synapses(default) == default.network.n_hidden * (default.rule.rewiring.budget + 10)


def test_deep_r_holds_the_whole_budget_with_at_most_a_dense_output_layer(structural):
    pytest.importorskip("jax")
    from types import SimpleNamespace

    import numpy as np

    rng = np.random.default_rng(0)
    X, y = rng.random((20, 784), dtype=np.float32), np.arange(20) % 10
    data = SimpleNamespace(X_train=X, y_train=y, X_val=X, y_val=y, X_test=X, y_test=y)
    # 1/16 of 150,000 is more than the 300 x 10 output connections: the rest goes to the hidden layer
    row = structural.bp_variant("deep_r", 150_000, data, seed=0, epochs=1, deep_r_learning_rate=0.005)
    assert row["synapses"] == 150_000 and row["learning_rate"] == 0.005
    assert structural.bp_variant("deep_r", 1_600, data, seed=0, epochs=1)["synapses"] == 1_600


def test_sparse_bp_baselines_widen_only_where_the_budget_would_nearly_fill_784_300_10(structural):
    assert structural.sparse_bp_width(16_000) == 300
    assert structural.sparse_bp_width(150_000) == 300  # the widths of the earlier runs at both budgets
    width = structural.sparse_bp_width(300_000)  # more than 784-300-10's 238,200 connections
    assert width > 300 and 300_000 <= 0.75 * width * (784 + 10) < 300_000 + 0.75 * (784 + 10)
