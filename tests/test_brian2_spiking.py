"""The spiking circuit (Poisson inputs, LIF units, lateral inhibition, trace instar, rewiring events) and the equations."""

import dataclasses

import numpy as np
import pytest

pytest.importorskip("brian2", reason="needs brian2: pip install 'neuroplastic[brian2]'")

from neuroplastic.datasets import load_sample
from neuroplastic.engines.brian2 import Brian2Classifier, SpikingParams
from neuroplastic.engines.brian2.device import brian2_target
from neuroplastic.engines.brian2.spiking import run_spiking_hidden
from neuroplastic.errors import ConfigError
from neuroplastic.rule import equations
from neuroplastic.rule.params import OutputRuleParams

SHORT = SpikingParams(dt_ms=1.0, t_on_ms=40.0, t_off_ms=20.0)


@pytest.fixture(scope="module")
def images():
    train = load_sample().train
    return train.X[:30], train.y[:30]


def _state(n_hidden, rng):
    W = rng.uniform(0.01, 0.1, size=(n_hidden, 784)).astype(np.float32)
    return {"W": W, "mask": np.ones_like(W, dtype=bool), "counts": np.ones(n_hidden, np.float32)}


@pytest.mark.standalone_compatible
def test_spiking_winners_move_towards_the_images_and_rewiring_eliminates_background(images, brian2_settings):
    X, _ = images
    rng = np.random.default_rng(0)
    state = _state(8, rng)
    before = state["W"].copy()
    target, build_dir = brian2_settings
    with brian2_target(target, build_dir):
        info = run_spiking_hidden(state, X, rng.permutation(len(X)), SHORT, period=15, w_elim=0.02, seed=1,
                                  standalone=target == "cpp_standalone")
    fired = state["counts"] > 1
    assert info["n_spikes"] > 0 and fired.any()
    mean_image = X.mean(axis=0)
    for unit in np.flatnonzero(fired):
        assert np.corrcoef(state["W"][unit], mean_image)[0, 1] > np.corrcoef(before[unit], mean_image)[0, 1]
    assert [event[0] for event in info["events"]][-1] < 0.9 * state["W"].size  # background synapses eliminated
    assert int(state["mask"].sum()) == info["events"][-1][0]
    assert not np.any(state["W"][~state["mask"]])


@pytest.mark.codegen_independent
def test_spiking_training_is_refused_for_the_sparse_from_birth_rule(images):
    # The circuit above still runs on the earlier dense pool; until it is wired to the per-unit slots the
    # learner refuses the spiking form with one line instead of training something else than the rule.
    X, y = images
    with pytest.raises(ConfigError, match="spiking.*not available") as error:
        Brian2Classifier(mode="spiking", target="numpy", n_hidden=6, spiking=SHORT,
                         output=OutputRuleParams(n_perturbations=1), random_state=0).fit(X, y)
    assert "\n" not in str(error.value)


@pytest.mark.codegen_independent
def test_spiking_parameters_are_checked():
    with pytest.raises(ConfigError, match="t_on_ms"):
        dataclasses.replace(SHORT, t_on_ms=45.0).validate()
    with pytest.raises(ConfigError, match="tau_m_ms"):
        dataclasses.replace(SHORT, tau_m_ms=0.0).validate()


@pytest.mark.codegen_independent
def test_equations_are_readable_strings_and_never_name_a_variable_active():
    constants = {name: getattr(equations, name) for name in equations.__all__}
    assert all(isinstance(text, str) and text.strip() for text in constants.values())
    for text in constants.values():
        assert "active " not in text.replace("inactive", "") and "active:" not in text
    assert "nonsilent" in equations.REWIRE and "run_regularly" not in equations.REWIRE
    # every model variable line carries a unit and a comment
    for name in ("RATE_HIDDEN", "RATE_SYNAPSES", "RATE_DENDRITE", "SPIKING_HIDDEN", "READOUT_OUTPUT"):
        for line in filter(str.strip, constants[name].splitlines()):
            assert ":" in line and "#" in line, f"{name}: {line}"


@pytest.mark.slow
@pytest.mark.standalone_compatible
def test_spiking_form_runs_in_cpp_standalone(images, tmp_path):
    X, _ = images
    rng = np.random.default_rng(0)
    state = _state(8, rng)
    with brian2_target("cpp_standalone", tmp_path) as folder:
        info = run_spiking_hidden(state, X[:10], np.arange(10), SHORT, period=5, w_elim=0.02, seed=1, standalone=True)
    assert info["n_spikes"] > 0
    assert len(info["events"]) == 2
    assert (folder / "standalone").is_dir()
