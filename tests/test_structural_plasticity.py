"""Structural plasticity does the work: sparse from birth, growth at active inputs, elimination, turnover."""

import dataclasses
import subprocess
import sys
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from neuroplastic.config import load_model
from neuroplastic.datasets import load_sample
from neuroplastic.engines import StructuralPlasticityClassifier, make_learner
from neuroplastic.rule import structural
from neuroplastic.rule.census import SynapseCensus
from neuroplastic.rule.params import OutputRuleParams, RewiringParams
from neuroplastic.rule.state import EMPTY, HiddenSynapses, ReadoutSynapses

REPO = Path(__file__).resolve().parents[1]
BUNDLED = sorted((REPO / "models").glob("*.toml")) + sorted((REPO / "models" / "regimes").glob("*.toml"))


def on_sample(model, hidden_epochs=1, readout_epochs=1):
    """The same definition, shortened, on the bundled sample (all of its settings otherwise kept)."""
    training = dataclasses.replace(model.training, hidden_epochs=hidden_epochs, readout_epochs=readout_epochs)
    rewiring = dataclasses.replace(model.rule.rewiring, period=400)
    return dataclasses.replace(model, training=training, rule=dataclasses.replace(model.rule, rewiring=rewiring))


@pytest.fixture(scope="module")
def sample():
    return load_sample()


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_every_bundled_model_keeps_its_budgets_after_the_first_batch_and_at_every_event(path, sample):
    model = on_sample(load_model(path))
    X, y = sample.train.X, sample.train.y
    if model.data.classes:
        keep = np.isin(y, model.data.classes)
        X, y = X[keep], y[keep]
    capacity = model.rule.rewiring.max_synapses_per_unit
    output_budget = model.rule.output.synapses_per_unit or model.network.n_hidden
    learner = make_learner(model)
    learner.fit(X, y, max_presentations=model.training.batch_size)  # the first batch only
    hidden = learner.state_.hidden
    assert hidden.index.shape == (model.network.n_hidden, capacity)  # slots, never n_hidden x n_inputs
    assert hidden.per_unit().max() <= capacity
    assert learner.state_.readout.per_unit().max() <= output_budget
    learner.resume(X, y)
    assert learner.history_, "rewiring events were recorded"
    for record in learner.history_:
        assert record["max_hidden_per_unit"] <= capacity
        assert record["max_output_per_unit"] <= output_budget
    arrays, _ = learner.state_.to_arrays()
    dense = [name for name, a in arrays.items() if a.ndim == 2 and a.shape == (model.network.n_hidden, X.shape[1])]
    assert not dense, f"dense hidden arrays in the training state: {dense}"
    assert learner.hidden_weights_.getnnz(axis=1).max() <= model.rule.rewiring.budget


@pytest.mark.slow
def test_fifty_thousand_units_train_in_far_less_memory_than_one_dense_weight_matrix(sample):
    X, y = sample.train.X, sample.train.y
    n_hidden = 50_000
    dense_bytes = n_hidden * X.shape[1] * 4  # one float32 n_hidden x 784 matrix: 157 MB
    learner = StructuralPlasticityClassifier(
        n_hidden=n_hidden, hidden_epochs=1, readout_epochs=1, batch_size=20, random_state=0,
        rewiring=RewiringParams(max_synapses_per_unit=16, period=1000))
    tracemalloc.start()
    try:
        learner.fit(X, y)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert learner.n_synapses_["hidden"] <= n_hidden * 16
    assert peak < 0.5 * dense_bytes, f"peak {peak / 1e6:.0f} MB against {dense_bytes / 1e6:.0f} MB dense"


def slots(index, weight, n_inputs=6):
    index, weight = np.asarray(index, dtype=np.int32), np.asarray(weight, dtype=np.float32)
    birth = np.where(weight > 0, 0, EMPTY).astype(np.int64)
    return HiddenSynapses(index=index, weight=weight, birth=birth, n_inputs=n_inputs)


def test_a_winner_grows_at_an_input_active_in_the_image_it_won():
    hidden = slots([[0, 1, 0]], [[0.4, 0.2, 0.0]])  # one unit, two synapses, one empty slot
    X = np.array([[0.9, 0.0, 0.0, 0.8, 0.1, 0.0]], dtype=np.float32)  # inputs 0 and 3 active; 0 already held
    grown, lifetimes = structural.grow_at_active_inputs(hidden, np.random.default_rng(0), X, np.array([0]),
                                                        probability=1.0, threshold=0.5, growth_weight=0.5, now=7)
    assert grown == 1 and lifetimes.size == 0  # the empty slot was filled, nothing eliminated
    assert hidden.index[0, 2] == 3 and hidden.weight[0, 2] == pytest.approx(0.4) and hidden.birth[0, 2] == 7


def test_growth_at_a_full_unit_eliminates_its_weakest_synapse():
    hidden = slots([[0, 1, 2]], [[0.4, 0.05, 0.3]])
    X = np.array([[0.0, 0.0, 0.0, 0.0, 0.0, 0.6]], dtype=np.float32)
    grown, lifetimes = structural.grow_at_active_inputs(hidden, np.random.default_rng(0), X, np.array([0]),
                                                        probability=1.0, threshold=0.5, growth_weight=0.5, now=10)
    assert grown == 1 and lifetimes.tolist() == [10]
    assert sorted(hidden.index[0].tolist()) == [0, 2, 5]  # input 1 (the weakest) is gone
    assert hidden.count() == 3


def test_no_growth_without_an_active_input_the_unit_does_not_hold():
    hidden = slots([[0, 1]], [[0.4, 0.3]])
    X = np.array([[0.9, 0.9, 0.2, 0.0, 0.0, 0.0]], dtype=np.float32)
    grown, _ = structural.grow_at_active_inputs(hidden, np.random.default_rng(0), X, np.array([0]),
                                                probability=1.0, threshold=0.5, growth_weight=0.5, now=1)
    assert grown == 0 and hidden.index[0].tolist() == [0, 1]


def test_consolidation_keeps_each_units_strongest_synapses_only():
    hidden = slots([[0, 1, 2, 3], [4, 5, 0, 1]], [[0.1, 0.5, 0.3, 0.0], [0.2, 0.1, 0.6, 0.4]])
    kept, lifetimes = structural.consolidate(hidden, 2, now=5)
    assert kept.capacity == 2
    assert sorted(kept.index[0].tolist()) == [1, 2] and sorted(kept.index[1].tolist()) == [0, 1]
    assert lifetimes.size == 3  # one from unit 0 (the empty slot is not a synapse), two from unit 1


def test_instar_moves_only_the_winners_existing_synapses_towards_the_input():
    hidden = slots([[0, 1, 2], [3, 4, 0]], [[0.2, 0.2, 0.0], [0.2, 0.2, 0.2]])
    counts = np.array([1.0, 1.0], dtype=np.float32)
    X = np.array([[1.0, 0.0, 1.0, 0.0, 0.0, 0.0]], dtype=np.float32)
    structural.instar_step(hidden, counts, X, np.array([0]))
    # eta = 1 / 2 after the win: 0.2 + 0.5 (1 - 0.2) = 0.6 and 0.2 + 0.5 (0 - 0.2) = 0.1; the empty slot stays 0
    np.testing.assert_allclose(hidden.weight[0], [0.6, 0.1, 0.0])
    np.testing.assert_allclose(hidden.weight[1], [0.2, 0.2, 0.2])
    assert counts.tolist() == [2.0, 1.0]


def test_readout_turnover_keeps_each_output_units_budget_and_grows_where_eligibility_is_largest():
    n_hidden = 6
    readout = ReadoutSynapses(weight=np.zeros((n_hidden, 2), np.float32), alive=np.zeros((n_hidden, 2), bool),
                              birth=np.full((n_hidden, 2), EMPTY, np.int64), bias=np.zeros(2, np.float32),
                              eligibility=np.zeros((n_hidden, 2), np.float32))
    readout.alive[[0, 1], 0] = True
    readout.weight[[0, 1], 0] = [0.5, 0.01]
    readout.eligibility[:, 0] = [0.0, 0.0, 0.1, 0.9, -0.5, 0.0]
    grown, eliminated = structural.turn_over_readout(readout, budget=2, fraction=0.5, now=3, units=np.array([0]))
    assert (grown, eliminated) == (1, 1)
    assert np.flatnonzero(readout.alive[:, 0]).tolist() == [0, 3]  # weakest (1) out, most eligible (3) in
    assert readout.alive[:, 1].sum() == 0  # unit 1 was not in the turnover


def test_census_measures_turnover_and_survival_of_identified_synapses():
    census = SynapseCensus()
    hidden = slots([[0, 1], [2, 3]], [[0.5, 0.5], [0.5, 0.5]])
    census.start_epoch(0, hidden)
    census.end_epoch(1, "hidden", 100, hidden)  # reference taken at the end of pass 1
    census.start_epoch(100, hidden)
    hidden.index[0, 1], hidden.birth[0, 1] = 4, 150  # one of four synapses replaced
    record = census.end_epoch(2, "hidden", 200, hidden)
    assert record["turnover"] == pytest.approx(0.25)
    assert census.survival[-1] == {"reference": 100, "presentations": 200, "delta": 100, "surviving": 0.75}
    census.record_elimination(np.array([150.0, 50.0]))
    assert census.mean_lifetime() == pytest.approx(100.0)


def test_turnover_goes_on_in_every_pass_after_the_first(sample):
    learner = StructuralPlasticityClassifier(
        n_hidden=100, hidden_epochs=2, readout_epochs=3, random_state=0,
        rewiring=RewiringParams(max_synapses_per_unit=10, synapses_per_unit=5, readout_growth_probability=0.05,
                                period=500),
        output=OutputRuleParams(synapses_per_unit=40))
    learner.fit(sample.train.X, sample.train.y)
    turnover = [e["turnover"] for e in learner.dynamics_["epochs"]]
    assert len(turnover) == 5 and min(turnover[1:]) >= 0.01
    assert learner.dynamics_["mean_lifetime"] > 0 and learner.dynamics_["survival"]
    assert learner.dynamics_["weights"][-1]["lognormal_sigma"] > 0


def test_consolidate_after_splits_the_hidden_phase_at_the_budget():
    from neuroplastic.rule.params import RuleParams
    from neuroplastic.rule.schedule import session_schedule

    rule = RuleParams(rewiring=RewiringParams(max_synapses_per_unit=10, synapses_per_unit=5, consolidate_after=1))
    phases = session_schedule(rule, 3, 2)
    assert [(p.name, p.epochs, p.hidden_budget, p.readout_learns) for p in phases] == [
        ("hidden", 1, 10, False), ("hidden", 2, 5, False), ("readout", 2, 5, True)]
    late = RuleParams(rewiring=RewiringParams(max_synapses_per_unit=10, synapses_per_unit=5, consolidate_after=3))
    assert session_schedule(late, 3, 2) == session_schedule(RuleParams(rewiring=RewiringParams(
        max_synapses_per_unit=10, synapses_per_unit=5)), 3, 2)


def test_early_consolidation_holds_the_budget_from_the_second_hidden_pass(sample):
    X, y = sample.train.X[:1000], sample.train.y[:1000]
    learner = StructuralPlasticityClassifier(
        n_hidden=40, hidden_epochs=2, readout_epochs=1, random_state=0,
        rewiring=RewiringParams(max_synapses_per_unit=10, synapses_per_unit=5, consolidate_after=1, period=500))
    learner.fit(X, y)
    starts = [r for r in learner.history_ if r["phase"] == "hidden start"]
    assert len(starts) == 1 and starts[0]["presentations"] == X.shape[0]
    assert starts[0]["max_hidden_per_unit"] <= 5
    later = [r for r in learner.history_ if r["presentations"] > X.shape[0]]
    assert later and max(r["max_hidden_per_unit"] for r in later) <= 5
    assert [e["phase"] for e in learner.dynamics_["epochs"]] == ["hidden", "hidden", "readout"]
    assert learner.dynamics_["epochs"][1]["turnover"] > 0  # growth goes on in the consolidated hidden pass


def test_growth_switched_off_is_a_fixed_support():
    learner = StructuralPlasticityClassifier(
        n_hidden=20, hidden_epochs=1, readout_epochs=1, random_state=0,
        rewiring=RewiringParams(max_synapses_per_unit=5, growth_probability=0.0, readout_growth_probability=0.0,
                                initial_support="random"))
    data = load_sample()
    learner.fit(data.train.X[:500], data.train.y[:500])
    assert learner.dynamics_["grown"] == 0 and learner.dynamics_["eliminated"] == 0
    assert all(e["turnover"] == 0 for e in learner.dynamics_["epochs"])


@pytest.mark.parametrize("table, field, reason", [
    ("[rule.rewiring]\nmax_synapses_per_unit = 0\n", "max_synapses_per_unit", "must be at least 1"),
    ("[rule.rewiring]\nmax_synapses_per_unit = 1000\n", "max_synapses_per_unit", r"at most the number of inputs \(784\)"),
    ("[rule.rewiring]\ngrowth_probability = 1.5\n", "growth_probability", r"must be in \[0, 1\]"),
    ("[rule.output]\nsynapses_per_unit = 0\n", "synapses_per_unit", "must be at least 1"),
])
def test_impossible_budgets_and_probabilities_get_one_line_naming_file_and_field(tmp_path, table, field, reason):
    import re

    path = tmp_path / "bad.toml"
    path.write_text('[model]\nname = "bad"\n[network]\nn_hidden = 10\n' + table)
    result = subprocess.run([sys.executable, "-m", "neuroplastic", "validate", str(path)], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0] and field in lines[0] and re.search(reason, lines[0])
