"""The rate form in Brian2 executes the same rule as the vectorized engine (batch size 1).

The tests that take ``brian2_settings`` run on the target ``--brian2-target`` selects (numpy by default).
"""

import numpy as np
import pytest

pytest.importorskip("brian2", reason="needs brian2: pip install 'neuroplastic[brian2]'")

from neuroplastic.datasets import load_sample
from neuroplastic.engines.brian2 import Brian2Classifier
from neuroplastic.rule.state import EMPTY
from neuroplastic.engines.vectorized import StructuralPlasticityClassifier, learned
from neuroplastic.errors import ConfigError
from neuroplastic.rule.params import HomeostasisParams, OutputRuleParams, RewiringParams

from engines import Engine

NO_GROWTH = RewiringParams(growth_probability=0.0, readout_growth_probability=0.0, period=20)
GROWTH = RewiringParams(max_synapses_per_unit=12, synapses_per_unit=10, growth_probability=0.5,
                        readout_growth_probability=0.2, elimination_threshold=0.02, period=10)
#: No growth; synapses born at random inputs, so the ones on background pixels decay under the instar rule and
#: are eliminated, a few at nearly every rewiring event, and at the consolidation to 8 per unit.
ELIMINATING = RewiringParams(max_synapses_per_unit=12, synapses_per_unit=8, initial_support="random",
                             growth_probability=0.0, readout_growth_probability=0.0, elimination_threshold=0.012,
                             period=10)


@pytest.fixture(scope="module")
def images():
    train = load_sample().train
    return train.X[:40], train.y[:40]


def _kwargs(**overrides):
    kwargs = dict(n_hidden=5, hidden_epochs=2, readout_epochs=1, batch_size=1,
                  homeostasis=HomeostasisParams(strength=30.0, time_constant=50.0),
                  output=OutputRuleParams(n_perturbations=2), random_state=7)
    kwargs.update(overrides)
    return kwargs


def _target(settings):
    target, build_dir = settings
    return {"target": target, "build_dir": build_dir}


@pytest.fixture(scope="module")
def grown(images, brian2_settings):
    X, y = images
    return Brian2Classifier(mode="rate", **_target(brian2_settings),
                            **_kwargs(rewiring=GROWTH, hidden_epochs=1, batch_size=4)).fit(X, y)


def test_rate_form_without_growth_gives_the_vectorized_synapses_and_readout(images, brian2_settings):
    X, y = images
    vectorized = StructuralPlasticityClassifier(**_kwargs(rewiring=NO_GROWTH)).fit(X, y)
    brian2 = Brian2Classifier(mode="rate", **_target(brian2_settings), **_kwargs(rewiring=NO_GROWTH)).fit(X, y)
    expected = vectorized.hidden_weights_.toarray()
    assert expected.max() > 0.3  # the winners did move towards the images
    np.testing.assert_array_equal(brian2.hidden_weights_.indices, vectorized.hidden_weights_.indices)
    np.testing.assert_allclose(brian2.hidden_weights_.toarray(), expected, rtol=0, atol=1e-5)
    np.testing.assert_array_equal(brian2.state_.units.counts, vectorized.state_.units.counts)
    np.testing.assert_allclose(brian2.state_.units.conscience, vectorized.state_.units.conscience, atol=1e-4)
    assert np.abs(vectorized.output_weights_).max() > 0.01  # the readout did learn
    # The readout is Brian2's three-factor synapses, fed the same perturbations: the raw efficacies agree to
    # float32 rounding (accumulated over the readout's batches) and the two networks classify alike.
    raw, expected_raw = brian2.state_.readout.weight, vectorized.state_.readout.weight
    np.testing.assert_allclose(raw, expected_raw, rtol=0, atol=1e-3 * np.abs(expected_raw).max())
    np.testing.assert_allclose(brian2.state_.readout.eligibility, vectorized.state_.readout.eligibility, rtol=0,
                               atol=1e-2 * np.abs(vectorized.state_.readout.eligibility).max())
    np.testing.assert_array_equal(brian2.predict(X), vectorized.predict(X))
    assert [r["phase"] for r in brian2.history_] == [r["phase"] for r in vectorized.history_]
    assert [set(r) for r in brian2.history_] == [set(r) for r in vectorized.history_]


def _at_rewiring_events(run):
    """The snapshots taken right after each rewiring event (not after a phase change), by presentation count."""
    history = run.learner.history_
    return {s.done: s for s in run.snapshots if s.events and history[s.events - 1]["presentations"] == s.done}


def test_rate_form_eliminates_the_vectorized_synapses_at_every_event(images, brian2_settings):
    # Without growth, at batch size 1 and with the same seed, both engines hold the same synapses with the same
    # efficacies (to float32 rounding) after every rewiring event, and eliminate the same ones at each event and
    # at the consolidation.
    X, y = images
    kwargs = dict(n_hidden=8, hidden_epochs=1, readout_epochs=1, batch_size=1, rewiring=ELIMINATING)
    vectorized = Engine("vectorized").fit(X, y, **kwargs)
    rate = Engine("brian2-rate", *brian2_settings).fit(X, y, **kwargs)
    fields = ("phase", "presentations", "nonsilent_hidden", "max_hidden_per_unit", "grown", "eliminated",
              "nonsilent_output", "output_grown", "output_eliminated")
    expected = [{k: r[k] for k in fields} for r in vectorized.learner.history_]
    assert [{k: r[k] for k in fields} for r in rate.learner.history_] == expected
    assert sum(r["eliminated"] > 0 for r in expected) >= 5 and all(r["grown"] == 0 for r in expected)
    assert any(r["phase"] == "readout start" and r["eliminated"] > 0 for r in expected)
    events, events_rate = _at_rewiring_events(vectorized), _at_rewiring_events(rate)
    assert sorted(events_rate) == sorted(events) and len(events) == sum(r["phase"] != "readout start" for r in expected)
    for done, snapshot in events.items():
        other = events_rate[done]
        np.testing.assert_array_equal(other.birth, snapshot.birth, err_msg=f"synapses after event at {done}")
        alive = snapshot.birth != EMPTY
        np.testing.assert_array_equal(other.index[alive], snapshot.index[alive], err_msg=f"inputs at {done}")
        np.testing.assert_allclose(other.weight, snapshot.weight, rtol=0, atol=1e-5, err_msg=f"efficacies at {done}")
        np.testing.assert_array_equal(other.counts, snapshot.counts)
    np.testing.assert_allclose(rate.learner.hidden_weights_.toarray(), vectorized.learner.hidden_weights_.toarray(),
                               rtol=0, atol=1e-5)


def test_rate_form_readout_turns_over_the_same_output_synapses_under_its_budget(images, brian2_settings):
    # Output budget of 3 synapses per class: the rewiring events replace the weakest by the most eligible silent
    # sites. Brian2's readout computes the updates and the eligibility; the events choose the same sites.
    X, y = images
    output = OutputRuleParams(n_perturbations=3, antithetic=False, synapses_per_unit=3, turnover=0.3)
    kwargs = _kwargs(rewiring=NO_GROWTH, readout_epochs=3, output=output)
    vectorized = StructuralPlasticityClassifier(**kwargs).fit(X, y)
    brian2 = Brian2Classifier(mode="rate", **_target(brian2_settings), **kwargs).fit(X, y)
    fields = ("presentations", "nonsilent_output", "output_grown", "output_eliminated")
    expected = [{k: r[k] for k in fields} for r in vectorized.history_]
    assert [{k: r[k] for k in fields} for r in brian2.history_] == expected
    assert sum(r["output_grown"] for r in expected) >= 3  # the readout did turn over
    readout, expected_readout = brian2.state_.readout, vectorized.state_.readout
    np.testing.assert_array_equal(readout.alive, expected_readout.alive)
    assert (readout.alive.sum(axis=0) <= 3).all() and not readout.weight[~readout.alive].any()
    np.testing.assert_allclose(readout.weight, expected_readout.weight, rtol=0,
                               atol=1e-3 * np.abs(expected_readout.weight).max())


def test_rate_form_with_growth_keeps_the_budget_and_counts_every_synapse(grown, images):
    history = grown.history_
    assert {r["phase"] for r in history} >= {"hidden", "readout start", "readout"}
    assert sum(r["grown"] for r in history) > 0 and sum(r["eliminated"] for r in history) > 0
    for before, after in zip(history, history[1:]):
        assert after["nonsilent_hidden"] - before["nonsilent_hidden"] == after["grown"] - after["eliminated"]
    budget = {"hidden": GROWTH.max_synapses_per_unit, "readout start": GROWTH.synapses_per_unit,
              "readout": GROWTH.synapses_per_unit}
    assert all(r["max_hidden_per_unit"] <= budget[r["phase"]] for r in history)
    assert grown.state_.hidden.capacity == GROWTH.synapses_per_unit
    hidden = grown.hidden_weights_
    assert hidden.getnnz(axis=1).max() <= GROWTH.synapses_per_unit
    born = learned.initial_state(grown.rule_params(), np.random.default_rng(7), 5, images[0], grown.classes_.size)
    assert grown.dynamics_["grown"] >= sum(r["grown"] for r in history)
    assert grown.dynamics_["grown"] - grown.dynamics_["eliminated"] == grown.state_.hidden.count() - born.hidden.count()


def test_brian2_growth_places_each_synapse_of_a_unit_at_a_distinct_active_input(grown, images):
    hidden = grown.state_.hidden
    alive = hidden.alive
    for unit in range(hidden.n_hidden):
        held = hidden.index[unit][alive[unit]]
        assert np.unique(held).size == held.size  # a unit never grows at an input it holds
    regrown = alive & (hidden.birth > 0)
    assert regrown.any()
    ever_active = (images[0] > GROWTH.growth_threshold).any(axis=0)
    assert ever_active[hidden.index[regrown]].all()


def test_rate_form_is_deterministic_under_a_seed(images, grown, brian2_settings):
    X, y = images
    again = Brian2Classifier(mode="rate", **_target(brian2_settings),
                             **_kwargs(rewiring=GROWTH, hidden_epochs=1, batch_size=4)).fit(X, y)
    assert (again.hidden_weights_ != grown.hidden_weights_).nnz == 0
    np.testing.assert_array_equal(again.output_weights_, grown.output_weights_)
    assert again.history_ == grown.history_


def test_rate_learner_exports_a_brian2_network(grown, images):
    network = grown.to_network()
    assert network.metadata["engine"] == "brian2-rate"
    assert network.n_nonsilent["hidden"] == grown.n_synapses_["hidden"] <= 5 * GROWTH.synapses_per_unit
    X, y = images
    assert grown.score(X, y) == network.score(X, y)
    assert grown.get_params()["mode"] == "rate"


@pytest.mark.codegen_independent
def test_brian2_learner_refuses_what_it_does_not_run():
    X, y = np.random.default_rng(0).random((10, 20)), np.arange(10) % 2
    rewiring = RewiringParams(max_synapses_per_unit=4)
    with pytest.raises(ConfigError, match="target"):
        Brian2Classifier(mode="rate", target="cpp_standalone", n_hidden=3, rewiring=rewiring).fit(X, y)
    with pytest.raises(ConfigError, match="readout_engine"):
        Brian2Classifier(mode="spiking", n_hidden=3, rewiring=rewiring, readout_engine="torch").fit(X, y)
    with pytest.raises(ConfigError, match="resume"):
        Brian2Classifier(n_hidden=3, rewiring=rewiring).fit(X, y, resume_state={})


def test_another_seed_grows_elsewhere(images, grown, brian2_settings):
    X, y = images
    other = Brian2Classifier(mode="rate", **_target(brian2_settings),
                             **_kwargs(rewiring=GROWTH, hidden_epochs=1, batch_size=4, random_state=8)).fit(X, y)
    assert (other.hidden_weights_ != grown.hidden_weights_).nnz > 0


@pytest.mark.slow
def test_rate_form_compiled_with_cython_gives_the_numpy_target_synapses(images, tmp_path):
    X, y = images
    kwargs = _kwargs(rewiring=NO_GROWTH, hidden_epochs=1, readout_epochs=0)
    numpy = Brian2Classifier(mode="rate", target="numpy", **kwargs).fit(X, y)
    cython = Brian2Classifier(mode="rate", target="cython", build_dir=tmp_path, **kwargs).fit(X, y)
    np.testing.assert_allclose(cython.hidden_weights_.toarray(), numpy.hidden_weights_.toarray(), atol=1e-6)
    # with growth the random streams of the two targets differ; the rule's invariants hold
    kwargs = _kwargs(rewiring=GROWTH, hidden_epochs=1, readout_epochs=0, batch_size=4)
    grown = Brian2Classifier(mode="rate", target="cython", build_dir=tmp_path, **kwargs).fit(X, y)
    hidden = grown.state_.hidden
    assert grown.dynamics_["grown"] > 0
    for unit in range(hidden.n_hidden):
        held = hidden.index[unit][hidden.alive[unit]]
        assert np.unique(held).size == held.size
