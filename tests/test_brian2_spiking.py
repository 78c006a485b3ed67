"""Spiking training of the hidden layer (stochastic release, LIF units, falling threshold, shunting interneuron,
instar at the winner's spike, growth and elimination at image boundaries) and the equations."""

import dataclasses

import numpy as np
import pytest

pytest.importorskip("brian2", reason="needs brian2: pip install 'neuroplastic[brian2]'")

from neuroplastic.datasets import load_sample
from neuroplastic.engines.brian2 import Brian2Classifier, SpikingParams
from neuroplastic.engines.brian2.device import brian2_target
from neuroplastic.engines.brian2.spiking import SpikingHiddenLayer
from neuroplastic.engines.vectorized import learned
from neuroplastic.errors import ConfigError
from neuroplastic.rule import equations
from neuroplastic.rule.params import HomeostasisParams, OutputRuleParams, RewiringParams, RuleParams
from neuroplastic.rule.state import EMPTY

PARAMS = SpikingParams()


@pytest.fixture(scope="module")
def images():
    train = load_sample().train
    return train.X[:30], train.y[:30]


def _state(X, n_hidden, capacity=10, seed=0):
    rule = RuleParams(rewiring=RewiringParams(max_synapses_per_unit=capacity, synapses_per_unit=capacity))
    return learned.initial_state(rule, np.random.default_rng(seed), n_hidden, X, 10)


def _run(state, X, order, target, build_dir, **kwargs):
    with brian2_target(target, build_dir):
        layer = SpikingHiddenLayer(state, X, order, PARAMS, gamma=kwargs.pop("gamma", 30.0),
                                   tau_h=kwargs.pop("tau_h", 50.0), seed=1, **kwargs)
        return layer.run(state, standalone=target == "cpp_standalone")


@pytest.mark.standalone_compatible
def test_one_winner_per_image_learns_and_growth_keeps_the_budget(images, brian2_settings):
    X, _ = images
    state = _state(X, 8)
    before = state.hidden.weight.copy(), state.hidden.index.copy(), state.units.counts.copy()
    per_unit_before = state.hidden.per_unit()
    info = _run(state, X, np.arange(len(X)), *brian2_settings, p_grow=0.5, w_elim=0.3, rewiring_at=[10, 20])
    hidden = state.hidden
    # the interneuron lets exactly one unit win each image: the win counts grow by the images that had a winner
    assert info["images_with_a_winner"] == len(X)
    assert state.units.counts.sum() - before[2].sum() == len(X)
    # every unit holds at most its capacity, at distinct inputs; empty slots carry nothing
    assert hidden.per_unit().max() <= hidden.capacity
    for unit in range(hidden.n_hidden):
        alive = hidden.birth[unit] != EMPTY
        assert np.unique(hidden.index[unit, alive]).size == alive.sum()
    assert not hidden.weight[hidden.birth == EMPTY].any() and (hidden.weight >= 0).all()
    # growth happened at active inputs, elimination at the events; the census adds up
    grown, eliminated = info["grown"], info["eliminated"]
    assert len(grown) > 0 and len(eliminated) > 0
    assert set(np.unique(eliminated[:, 0])) <= {10, 20}
    into_empty = grown[grown[:, 2] < 0]
    change = np.bincount(into_empty[:, 1], minlength=8) - np.bincount(eliminated[:, 1], minlength=8)
    assert np.array_equal(hidden.per_unit() - per_unit_before, change)
    new = hidden.birth > 0
    assert (X[:, hidden.index[new]].max(axis=0) > 0.5).all()  # every grown synapse sits at an input active once
    # the snapshots after each event hold what the census says
    assert sorted(info["after_events"]) == [10, 20]
    index, weight, birth, counts = info["after_events"][20]
    assert np.count_nonzero(birth != EMPTY) == hidden.count() - len(into_empty[into_empty[:, 0] > 20]) + \
        len(eliminated[eliminated[:, 0] > 20])
    assert counts.sum() <= state.units.counts.sum()


@pytest.mark.standalone_compatible
def test_the_unit_nearest_the_image_wins_it(images, brian2_settings):
    # unit 0 holds the image's brightest pixels at their intensities; unit 1 holds dark pixels; without
    # homeostasis and plasticity the competition should give every presentation to unit 0
    X, _ = images
    image = X[3]
    bright = np.argsort(-image)[:10]
    dark = np.flatnonzero(image == 0)[:10]
    state = _state(X, 2)
    state.hidden.index[0], state.hidden.index[1] = bright, dark
    state.hidden.weight[0], state.hidden.weight[1] = image[bright], 0.3
    state.hidden.birth[...] = 0
    state.units.counts[:] = 1e9  # the instar barely moves the weights
    info = _run(state, X, np.full(12, 3), *brian2_settings, gamma=0.0)
    assert info["images_with_a_winner"] == 12
    assert state.units.counts[0] - 1e9 == pytest.approx(12, abs=1e-6 * 1e9)


@pytest.mark.codegen_independent
def test_spiking_parameters_are_checked():
    with pytest.raises(ConfigError, match="presentation_ms"):
        dataclasses.replace(PARAMS, presentation_ms=20.5).validate()
    with pytest.raises(ConfigError, match="tau_m_ms"):
        dataclasses.replace(PARAMS, tau_m_ms=0.0).validate()
    with pytest.raises(ConfigError, match="decision_ms"):
        dataclasses.replace(PARAMS, decision_ms=25.0).validate()
    with pytest.raises(ConfigError, match="release_rate_hz"):
        dataclasses.replace(PARAMS, release_rate_hz=5000.0).validate()


@pytest.mark.codegen_independent
def test_the_learner_refuses_an_unknown_target_or_spiking_field(images):
    X, y = images
    with pytest.raises(ConfigError, match="target"):
        Brian2Classifier(mode="rate", target="cpp_standalone", n_hidden=4).fit(X, y)
    with pytest.raises(ConfigError, match="spiking"):
        Brian2Classifier(mode="spiking", n_hidden=4, spiking={"tau_x_ms": 3.0}).fit(X, y)


@pytest.mark.codegen_independent
def test_equations_are_readable_strings_and_never_name_a_variable_active():
    constants = {name: getattr(equations, name) for name in equations.__all__}
    assert all(isinstance(text, str) and text.strip() for text in constants.values())
    for text in constants.values():
        assert "active " not in text.replace("inactive", "") and "active:" not in text
    # every model variable line carries a unit and a comment
    for name in ("RATE_HIDDEN", "RATE_SYNAPSES", "RATE_DENDRITE", "SPIKING_HIDDEN", "SPIKING_SYNAPSES",
                 "SPIKING_INTERNEURON", "READOUT_OUTPUT"):
        for line in filter(str.strip, constants[name].splitlines()):
            assert ":" in line and ("#" in line or line.startswith(("cand", "held"))), f"{name}: {line}"


@pytest.mark.slow
def test_spiking_training_runs_in_cpp_standalone_and_reads_out(images, tmp_path):
    X, y = images
    learner = Brian2Classifier(
        mode="spiking", target="cpp_standalone", build_dir=tmp_path, n_hidden=12, hidden_epochs=1, readout_epochs=1,
        batch_size=5, rewiring=RewiringParams(max_synapses_per_unit=10, synapses_per_unit=6, growth_probability=0.5,
                                              period=10),
        homeostasis=HomeostasisParams(time_constant=30.0), output=OutputRuleParams(n_perturbations=2), random_state=0)
    born = learned.initial_state(learner.rule_params(), np.random.default_rng(0), 12, X, 10).units.counts.sum()
    learner.fit(X, y, max_presentations=len(X))  # the hidden pass only
    assert learner.state_.units.counts.sum() == born + len(X)  # one winner per image, compiled too
    learner.fit(X, y)
    assert (tmp_path / "standalone").is_dir()
    run = learner.spiking_runs_[0]
    assert run["images_with_a_winner"] == len(X) and run["simulation_seconds"] > 0
    assert learner.state_.hidden.per_unit().max() <= 6
    assert [r["phase"] for r in learner.history_][:2] == ["hidden", "hidden"]
    assert np.count_nonzero(learner.output_weights_) > 0 and learner.to_network().predict(X).shape == y.shape


@pytest.mark.codegen_independent
def test_the_brian2_page_quotes_the_spiking_equations_as_the_code_holds_them():
    from pathlib import Path

    page = (Path(__file__).parents[1] / "docs" / "brian2.md").read_text()
    for name in ("SPIKING_SYNAPSES", "SPIKING_RELEASE", "SPIKING_HIDDEN", "SPIKING_HIDDEN_THRESHOLD",
                 "SPIKING_ON_TRANSMIT", "SPIKING_ON_POST", "SPIKING_TO_INTERNEURON", "SPIKING_WINNER",
                 "SPIKING_INSTAR", "SPIKING_HOMEOSTASIS"):
        for line in filter(str.strip, getattr(equations, name).splitlines()):
            assert line.strip() in page, f"{name}: {line}"
    from neuroplastic.config import SpikingSpec

    for key in ("training_dt", "presentation_time", "decision_time", "release_rate", "membrane_time_constant",
                "synaptic_time_constant", "drive_gain", "threshold_start", "threshold_fall"):
        assert f'| `{key}` | `"{getattr(SpikingSpec(), key)}"` |' in page  # the row gives the real default


def test_activity_cost_makes_spiking_growth_replace_synapses_on_busy_inputs():
    # no consolidation and no readout-phase growth: only the Brian2 growth rule places the synapses
    train = load_sample().train
    X, y = train.X[:120], train.y[:120]
    rates = X.mean(axis=0)
    load = {}
    for cost in (0.0, 2.0):
        learner = Brian2Classifier(
            mode="spiking", n_hidden=12, hidden_epochs=1, readout_epochs=1, batch_size=10,
            rewiring=RewiringParams(max_synapses_per_unit=6, synapses_per_unit=6, initial_support="random",
                                    growth_probability=1.0, readout_growth_probability=0.0, period=60,
                                    activity_cost=cost),
            output=OutputRuleParams(n_perturbations=1), random_state=3)
        learner.fit(X, y, max_presentations=len(X))
        hidden = learner.state_.hidden
        load[cost] = float(rates[hidden.index[hidden.birth != EMPTY]].sum())
    # input activity reaching the kept synapses: less when upkeep scales with the input's rate
    assert load[2.0] < 0.9 * load[0.0]
