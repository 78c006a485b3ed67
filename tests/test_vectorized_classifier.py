"""The vectorized engine: the learner contract, exact reproducibility and resume, clear errors."""

import numpy as np
import pytest

from neuroplastic.engines import StructuralPlasticityClassifier
from neuroplastic.errors import ConfigError, DataError
from neuroplastic.rule.params import OutputRuleParams, RewiringParams


def tiny_data(n=60, seed=0):
    """Two classes of 4x4 'images': a bright left half or a bright right half, plus noise."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    X = rng.uniform(0, 0.3, size=(n, 4, 4))
    for i, label in enumerate(y):
        X[i, :, 2 * label:2 * label + 2] += 0.6
    return np.clip(X.reshape(n, 16), 0, 1), y


def tiny_learner(**overrides):
    params = dict(n_hidden=3, hidden_epochs=1, readout_epochs=3, batch_size=10, random_state=0,
                  rewiring=RewiringParams(period=20, max_synapses_per_unit=8, synapses_per_unit=6,
                                          growth_probability=0.5, readout_growth_probability=0.2,
                                          growth_threshold=0.5, elimination_threshold=0.02),
                  output=OutputRuleParams(learning_rate=0.1, synapses_per_unit=2, turnover=0.5))
    params.update(overrides)
    return StructuralPlasticityClassifier(**params)


def test_fit_returns_self_and_sets_the_learned_state():
    X, y = tiny_data()
    clf = tiny_learner()
    assert clf.fit(X, y) is clf
    assert clf.hidden_weights_.shape == (3, 16) and clf.hidden_weights_.format == "csr"
    assert clf.output_weights_.shape == (2, 3) and clf.classes_.tolist() == [0, 1]
    assert clf.n_synapses_["hidden"] == clf.hidden_weights_.count_nonzero() <= 3 * 6
    assert clf.n_synapses_["output"] <= 2 * 2
    assert clf.predict_proba(X).shape == (60, 2)
    np.testing.assert_allclose(clf.predict_proba(X).sum(1), 1, rtol=1e-5)


def test_hidden_weights_stay_non_negative():
    X, y = tiny_data()
    clf = tiny_learner().fit(X, y)
    assert clf.hidden_weights_.data.min() > 0
    assert clf.state_.hidden.weight.min() >= 0


def test_history_counts_change_exactly_by_grown_minus_eliminated():
    X, y = tiny_data()
    clf = tiny_learner().fit(X, y)
    history = clf.history_
    assert len(history) > 3
    previous = 3 * 8  # every unit is born with its capacity
    for record in history:
        assert record["nonsilent_hidden"] == previous + record["grown"] - record["eliminated"]
        previous = record["nonsilent_hidden"]
    assert sum(r["grown"] for r in history) > 0 and sum(r["eliminated"] for r in history) > 0
    assert history[-1]["nonsilent_hidden"] == clf.n_synapses_["hidden"]
    assert {"event", "presentations", "nonsilent_hidden", "nonsilent_output", "grown", "eliminated", "turnover",
            "output_grown", "output_eliminated", "loss", "train_accuracy"} <= set(history[0])


def test_same_seed_gives_identical_weights_and_another_seed_differs():
    X, y = tiny_data()
    a, b = tiny_learner().fit(X, y), tiny_learner().fit(X, y)
    c = tiny_learner(random_state=1).fit(X, y)
    assert (a.hidden_weights_ != b.hidden_weights_).nnz == 0
    np.testing.assert_array_equal(a.output_weights_, b.output_weights_)
    assert a.history_ == b.history_
    assert not np.array_equal(a.hidden_weights_.toarray(), c.hidden_weights_.toarray())


@pytest.mark.parametrize("stop_after", [25, 70, 150, 200])
def test_resume_from_a_checkpoint_ends_identical_to_an_uninterrupted_run(stop_after):
    X, y = tiny_data()
    whole = tiny_learner().fit(X, y)
    first = tiny_learner().fit(X, y, max_presentations=stop_after)
    state = first.get_state()
    resumed = tiny_learner().fit(X, y, resume_state=state)
    assert (whole.hidden_weights_ != resumed.hidden_weights_).nnz == 0
    np.testing.assert_array_equal(whole.output_weights_, resumed.output_weights_)
    np.testing.assert_array_equal(whole.output_bias_, resumed.output_bias_)
    assert whole.history_ == resumed.history_


def test_a_state_without_its_keys_is_refused_naming_them():
    X, y = tiny_data()
    state = tiny_learner().fit(X, y, max_presentations=25).get_state()
    del state["rng_state"], state["history"]
    with pytest.raises(ConfigError, match="lacks rng_state, history: not a checkpoint of this learner"):
        tiny_learner().fit(X, y, resume_state=state)


def test_checkpoint_callback_receives_resumable_states():
    X, y = tiny_data()
    saved = []
    whole = tiny_learner().fit(X, y, checkpoint=saved.append, checkpoint_every=50)
    assert len(saved) == 4
    resumed = tiny_learner().fit(X, y, resume_state=saved[1])
    np.testing.assert_array_equal(whole.output_weights_, resumed.output_weights_)


def test_progress_reports_presentations_and_nonsilent_count():
    X, y = tiny_data()
    calls = []
    tiny_learner(progress=lambda done, total, nonsilent: calls.append((done, total, nonsilent))).fit(X, y)
    assert calls[-1][0] == calls[-1][1] == 4 * 60
    assert calls[0][2] == 3 * 8  # born at capacity: never dense


def test_engine_and_saved_network_predict_the_same():
    X, y = tiny_data()
    clf = tiny_learner().fit(X, y)
    net = clf.to_network()
    np.testing.assert_allclose(net.decision_function(X), clf.decision_function(X), rtol=1e-5, atol=1e-6)
    assert net.n_nonsilent == clf.n_synapses_


def test_get_params_and_set_params_round_trip():
    clf = tiny_learner()
    params = clf.get_params()
    assert params["n_hidden"] == 3
    clone = StructuralPlasticityClassifier(**params)
    assert clone.get_params() == params
    clone.set_params(n_hidden=5, rewiring__synapses_per_unit=3)
    assert clone.n_hidden == 5 and clone.rewiring.synapses_per_unit == 3
    with pytest.raises(ConfigError, match="n_hiden is not a known hyperparameter"):
        clone.set_params(n_hiden=3)


@pytest.mark.parametrize("change, message", [
    (lambda X: np.where(X > 0.5, np.nan, X), "NaN"),
    (lambda X: X * 255, r"must lie in \[0, 1\]"),
    (lambda X: X.reshape(-1, 4, 4), "2-D"),
])
def test_bad_inputs_raise_a_data_error(change, message):
    X, y = tiny_data()
    with pytest.raises(DataError, match=message):
        tiny_learner().fit(change(X), y)


def test_predict_checks_the_image_width():
    X, y = tiny_data()
    clf = tiny_learner().fit(X, y)
    with pytest.raises(DataError, match="16 pixels"):
        clf.predict(X[:, :9])


def test_labels_of_the_wrong_length_raise_a_data_error():
    X, y = tiny_data()
    with pytest.raises(DataError, match="labels"):
        tiny_learner().fit(X, y[:-1])


@pytest.mark.parametrize("overrides, field", [
    ({"n_hidden": 0}, "n_hidden"),
    ({"readout_epochs": 0}, "readout_epochs"),
    ({"activation": "softplus"}, "activation"),
    ({"rewiring": RewiringParams(period=-5)}, "rule.rewiring.period"),
])
def test_impossible_hyperparameters_raise_a_config_error_in_fit(overrides, field):
    X, y = tiny_data()
    clf = tiny_learner(**overrides)  # stored unchanged, checked in fit
    with pytest.raises(ConfigError) as info:
        clf.fit(X, y)
    assert info.value.field == field


def test_partial_fit_continues_from_the_current_weights():
    X, y = tiny_data()
    clf = tiny_learner()
    clf.partial_fit(X[y == 0], y[y == 0], classes=[0, 1])
    first = clf.hidden_weights_.copy()
    clf.partial_fit(X, y)
    assert clf.classes_.tolist() == [0, 1]
    assert clf.score(X, y) > 0.9
    assert first.shape == clf.hidden_weights_.shape


def test_a_session_on_new_classes_leaves_the_readout_of_absent_classes_untouched():
    from neuroplastic.datasets import load_sample

    data = load_sample()
    X, y = data.train.X, data.train.y
    first, second = np.isin(y, [0, 1]), np.isin(y, [2, 3])
    clf = tiny_learner(n_hidden=20, output=OutputRuleParams(learning_rate=0.1, synapses_per_unit=10))
    clf.partial_fit(X[first], y[first], classes=[0, 1, 2, 3])
    weights, bias = clf.output_weights_.copy(), clf.output_bias_.copy()
    assert np.all(weights[2:] == 0)  # classes 2 and 3 not taught yet
    clf.partial_fit(X[second], y[second])
    np.testing.assert_array_equal(clf.output_weights_[:2], weights[:2])
    np.testing.assert_array_equal(clf.output_bias_[:2], bias[:2])
    assert np.count_nonzero(clf.output_weights_[2:]) > 0
    # every output unit holds at most its own budget, all through both sessions
    assert np.count_nonzero(clf.output_weights_, axis=1).max() <= 10
    potentials = clf.decision_function(X[second])[:, 2:]
    assert np.mean(2 + np.argmax(potentials, axis=1) == y[second]) > 0.7  # the new classes were learnt


def test_session_scaling_matches_the_new_output_units_to_the_old_ones():
    from neuroplastic.datasets import load_sample

    data = load_sample()
    X, y = data.train.X, data.train.y
    first, second = np.isin(y, [0, 1]), np.isin(y, [2, 3])
    weights = {}
    for scaling in (False, True):
        clf = tiny_learner(n_hidden=20, rewiring=RewiringParams(readout_growth_probability=0.0),
                           output=OutputRuleParams(learning_rate=0.1, session_scaling=scaling))
        clf.partial_fit(X[first], y[first], classes=[0, 1, 2, 3])
        after_first = clf.output_weights_.copy()
        clf.partial_fit(X[second], y[second])
        np.testing.assert_array_equal(clf.output_weights_[:2], after_first[:2])  # old units untouched either way
        weights[scaling] = (clf.output_weights_.copy(), clf.output_bias_.copy())
    norms = np.linalg.norm(weights[True][0], axis=1)
    assert norms[2:].mean() == pytest.approx(norms[:2].mean(), rel=1e-5)
    # the new units were only rescaled: same directions, one common factor for weights and bias
    factor = norms[2:].mean() / np.linalg.norm(weights[False][0][2:], axis=1).mean()
    assert abs(factor - 1) > 1e-3
    np.testing.assert_allclose(weights[True][0][2:], factor * weights[False][0][2:], rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(weights[True][1][2:], factor * weights[False][1][2:], rtol=1e-4, atol=1e-6)


def test_activity_cost_moves_the_budget_to_less_active_inputs():
    from neuroplastic.datasets import load_sample

    train = load_sample().train
    X, y = train.X[:600], train.y[:600]
    rates = X.mean(axis=0)
    load = {}
    for cost in (0.0, 1.0):
        clf = tiny_learner(n_hidden=40, rewiring=RewiringParams(period=200, max_synapses_per_unit=10,
                                                                synapses_per_unit=5, activity_cost=cost))
        clf.fit(X, y)
        assert clf.n_synapses_["hidden"] == 200
        load[cost] = float(((clf.hidden_weights_ != 0).toarray() * rates).sum())
    # input spikes reaching the kept synapses: fewer when upkeep scales with the input's rate
    assert load[1.0] < 0.8 * load[0.0]
    with pytest.raises(ConfigError, match="activity_cost"):
        tiny_learner(rewiring=RewiringParams(activity_cost=-1.0)).fit(X, y)


def test_learns_the_bundled_mnist_sample_well_above_chance():
    from neuroplastic.datasets import load_dataset

    data = load_dataset("mnist-sample")
    X, y = data.train.X.reshape(len(data.train.y), -1), data.train.y
    Xt, yt = data.test.X.reshape(len(data.test.y), -1), data.test.y
    clf = StructuralPlasticityClassifier(n_hidden=200, hidden_epochs=2, readout_epochs=10, random_state=0,
                                         rewiring=RewiringParams(period=1000, max_synapses_per_unit=30))
    clf.fit(X, y)
    assert clf.score(Xt, yt) > 0.7  # chance is 0.1
    assert clf.n_synapses_["hidden"] <= 200 * 30


def test_state_survives_the_run_folder_checkpoint_file_and_resumes_exactly(tmp_path):
    from neuroplastic.runs import RunFolder

    X, y = tiny_data()
    whole = tiny_learner().fit(X, y)
    run = RunFolder(tmp_path / "run")
    run.save_checkpoint(tiny_learner().fit(X, y, max_presentations=130).get_state())
    resumed = tiny_learner().fit(X, y, resume_state=run.load_checkpoint())
    np.testing.assert_array_equal(whole.output_weights_, resumed.output_weights_)
    assert whole.history_ == resumed.history_


def test_make_learner_builds_the_engine_from_a_model_definition():
    from neuroplastic.config import parse_model
    from neuroplastic.engines import make_learner

    model = parse_model('[model]\nname = "t"\n[network]\nn_hidden = 3\n[training]\nhidden_epochs = 1\n'
                        'readout_epochs = 2\nseed = 4\n[rule.rewiring]\nmax_synapses_per_unit = 5\n')
    learner = make_learner(model)
    assert (learner.n_hidden, learner.hidden_epochs, learner.readout_epochs, learner.random_state) == (3, 1, 2, 4)
    assert learner.rewiring.max_synapses_per_unit == 5
    X, y = tiny_data()
    assert learner.fit(X, y).n_synapses_["hidden"] <= 15


def test_predicting_reuses_one_network_until_learning_replaces_the_weights():
    X, y = tiny_data()
    clf = tiny_learner().fit(X, y)
    first = clf.predict(X)
    network = clf._inference_network[1]
    clf.predict_proba(X[:5])
    clf.score(X, y)
    assert clf._inference_network[1] is network  # no new network (nor kernel layout) per call
    clf.partial_fit(X, y)
    again = clf.predict(X)
    assert clf._inference_network[1] is not network
    np.testing.assert_array_equal(again, clf.to_network().predict(X))
    assert first.shape == again.shape


def test_an_unfitted_learner_says_so_when_asked_to_predict():
    X, _ = tiny_data()
    for call in ("predict", "decision_function", "to_network"):
        with pytest.raises(ConfigError, match="not fitted yet"):
            getattr(tiny_learner(), call)(*((X,) if call != "to_network" else ()))
