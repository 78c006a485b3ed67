"""Continual learning: task parsing, synapse accounting per task, the protocol, BP under it, outputs."""

import json

import numpy as np
import pytest
import scipy.sparse as sp

from conftest import needs_jax

from neuroplastic.cli.main import main
from neuroplastic.config import parse_model
from neuroplastic.datasets import load_sample
from neuroplastic.errors import ConfigError, DataError
from neuroplastic.experiments.continual import (ContinualBackprop, continual_markdown, parse_tasks, run_continual,
                                                synapse_changes, write_continual_outputs)
from neuroplastic.network import TrainedNetwork

MODEL = parse_model("""
[model]
name = "continual-test"
[data]
dataset = "mnist-sample"
[network]
n_hidden = 16
""")


class PrototypeLearner:
    """A stand-in for our rule: one hidden unit per class holding the mean image of that class's
    strongest pixels; a unit changes only when its class is trained, so nothing is forgotten."""

    def partial_fit(self, X, y, classes=None):
        if not hasattr(self, "classes_"):
            self.classes_ = np.asarray(sorted(classes))
            self.weights_ = np.zeros((len(self.classes_), X.shape[1]))
        for label in np.unique(y):
            mean = X[y == label].mean(axis=0)
            self.weights_[np.searchsorted(self.classes_, label)] = np.where(mean > 0.3, mean, 0.0)
        return self

    def to_network(self):
        W = self.weights_
        return TrainedNetwork(hidden_weights=sp.csr_matrix(W), hidden_bias=-0.5 * (W**2).sum(axis=1),
                              output_weights=sp.identity(len(self.classes_), format="csr"),
                              output_bias=np.zeros(len(self.classes_)), activation="relu", classes=self.classes_)


@pytest.fixture(scope="module")
def sample():
    data = load_sample()
    return data.train.X, data.train.y, data.test.X, data.test.y


def test_tasks_are_parsed_from_ranges_and_lists():
    assert parse_tasks("0-4,5-9") == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]
    assert parse_tasks("0-1,2-3,4-5,6-7,8-9")[2] == [4, 5]
    assert parse_tasks("1+2+6,0+3") == [[1, 2, 6], [0, 3]]


@pytest.mark.parametrize("text", ["0-4", "0-4,4-9", "a-b,1-2", "0-4,"])
def test_bad_task_lists_are_user_errors(text):
    with pytest.raises(ConfigError, match="tasks"):
        parse_tasks(text)


def test_synapse_changes_count_changed_grown_eliminated_and_free_sites():
    before = sp.csr_matrix(np.array([[0.5, 0.0, 0.2], [0.0, 0.0, 0.0]]))
    after = sp.csr_matrix(np.array([[0.5, 0.3, 0.0], [0.0, 0.0, 0.0]]))
    counts = synapse_changes(before, after)
    assert counts == {"synapses_changed": 2, "synapses_grown": 1, "synapses_eliminated": 1, "units_changed": 1,
                      "nonsilent_hidden": 2, "free_potential_synapses": 4}
    first = synapse_changes(None, after)
    assert first["synapses_grown"] == 2 and first["synapses_changed"] == 2


def test_retention_is_final_over_initial_accuracy_for_every_task(sample):
    result = run_continual(MODEL, [[0, 1], [2, 3], [4, 5]], data=sample, bp=False, rule_learner=PrototypeLearner())
    rule = result["methods"]["rule"]
    assert result["tasks"] == ["0-1", "2-3", "4-5"]
    assert len(rule["stages"]) == 3 and all(len(s["accuracy"]) == 3 for s in rule["stages"])
    for k in range(3):
        expected = rule["stages"][-1]["accuracy"][k] / rule["stages"][k]["accuracy"][k]
        assert rule["retention"][k] == pytest.approx(expected)
    # The prototype learner never touches an earlier task's unit: task-restricted accuracy is kept exactly.
    assert rule["retention_task_restricted"] == pytest.approx([1.0, 1.0, 1.0])
    # Each task adds synapses on its own two units only.
    assert [s["units_changed"] for s in rule["stages"]] == [2, 2, 2]
    free = [s["free_potential_synapses"] for s in rule["stages"]]
    assert free[0] > free[1] > free[2]


@needs_jax
def test_bp_continues_from_its_weights_with_all_classes_from_the_start(sample):
    X, y = sample[0], sample[1]
    bp = ContinualBackprop(n_hidden=8, epochs=1, random_state=0)
    with pytest.raises(ConfigError, match="classes"):
        bp.partial_fit(X[:10], y[:10])
    first = X[np.isin(y, [0, 1])], y[np.isin(y, [0, 1])]
    bp.partial_fit(*first, classes=[0, 1, 2, 3])
    weights_after_task1 = bp.inner.params_["W1"].copy()
    assert bp.to_network().classes.tolist() == [0, 1, 2, 3]
    second = X[np.isin(y, [2, 3])], y[np.isin(y, [2, 3])]
    bp.partial_fit(*second)
    change = np.abs(bp.inner.params_["W1"] - weights_after_task1)
    # Continued, not restarted: the weights moved by a few Adam steps, not to a fresh initialisation.
    assert 0 < change.mean() < 0.1 * np.abs(weights_after_task1).mean()
    assert set(bp.to_network().predict(second[0])) <= {0, 1, 2, 3}


@pytest.mark.parametrize("present_only", [True, False])
@needs_jax
def test_bp_teaches_only_the_present_classes_when_asked(sample, present_only):
    X, y = sample[0], sample[1]
    bp = ContinualBackprop(n_hidden=8, epochs=1, present_classes_only=present_only, random_state=0)
    first, second = np.isin(y, [0, 1]), np.isin(y, [2, 3])
    bp.partial_fit(X[first], y[first], classes=[0, 1, 2, 3])
    W2, b2 = bp.inner.params_["W2"].copy(), bp.inner.params_["b2"].copy()
    bp.partial_fit(X[second], y[second])
    kept = np.array_equal(bp.inner.params_["W2"][:, :2], W2[:, :2]) and np.array_equal(bp.inner.params_["b2"][:2],
                                                                                       b2[:2])
    assert kept is present_only
    assert not np.array_equal(bp.inner.params_["W2"][:, 2:], W2[:, 2:])
    assert bp.inner.masks_["W2"].shape == (8, 4) and bp.inner.masks_["W2"].all()


@needs_jax
def test_bp_session_scaling_matches_the_new_output_norms_to_the_old(sample):
    X, y = sample[0], sample[1]
    first, second = np.isin(y, [0, 1]), np.isin(y, [2, 3])
    bp = ContinualBackprop(n_hidden=8, epochs=1, session_scaling=True, random_state=0)
    bp.partial_fit(X[first], y[first], classes=[0, 1, 2, 3])
    bp.partial_fit(X[second], y[second])
    norms = np.linalg.norm(bp.inner.params_["W2"], axis=0)
    assert norms[2:].mean() == pytest.approx(norms[:2].mean(), rel=1e-5)


@needs_jax
def test_outputs_are_written_with_both_methods(sample, tmp_path):
    result = run_continual(MODEL, [[0, 1], [2, 3]], data=sample, bp=True, bp_epochs=1, bp_hidden=8,
                           rule_learner=PrototypeLearner())
    assert set(result["methods"]) == {"rule", "bp", "bp_all_outputs"}
    paths = write_continual_outputs(result, tmp_path)
    saved = json.loads((tmp_path / "continual.json").read_text(encoding="utf-8"))
    assert saved["methods"]["bp"]["stages"][1]["task"] == "2-3"
    text = (tmp_path / "continual.md").read_text(encoding="utf-8")
    assert "BP (dense)" in text and "our rule" in text and "free potential" in text
    assert text == continual_markdown(result)
    for key in ("accuracy_plot", "synapse_plot"):
        assert open(paths[key], "rb").read(8) == b"\x89PNG\r\n\x1a\n"


def test_cli_rejects_a_single_task(capsys):
    assert main(["continual", "--tasks", "0-9", "--no-bp"]) == 2
    assert "tasks" in capsys.readouterr().err


class RecordingLearner(PrototypeLearner):
    """The prototype learner, remembering how many images each call trained on."""

    def partial_fit(self, X, y, classes=None):
        self.seen_ = getattr(self, "seen_", []) + [len(y)]
        return super().partial_fit(X, y, classes=classes)


def test_validation_mode_holds_out_training_images_and_never_reads_the_test_set(sample):
    X, y = sample[0], sample[1]
    no_test = (X, y, X[:0], y[:0])  # an empty test set: scoring on it would fail
    learner = RecordingLearner()
    result = run_continual(MODEL, [[0, 1], [2, 3]], data=no_test, bp=False, rule_learner=learner,
                           evaluate_on="validation", validation_fraction=0.25)
    settings = result["settings"]
    assert settings["evaluated_on"] == "validation" and settings["validation_fraction"] == 0.25
    for task, n_train, n_val in zip(([0, 1], [2, 3]), settings["n_train_per_task"], settings["n_test_per_task"]):
        n_task = int(np.isin(y, task).sum())
        assert n_train + n_val == n_task and n_val == pytest.approx(0.25 * n_task, abs=2)
    assert learner.seen_ == settings["n_train_per_task"]
    assert "validation images" in continual_markdown(result)
    with pytest.raises(DataError, match="no evaluation images"):
        run_continual(MODEL, [[0, 1], [2, 3]], data=no_test, bp=False, rule_learner=PrototypeLearner())


def test_validation_split_is_stratified_disjoint_and_seeded():
    from neuroplastic.experiments.continual import validation_split

    y = np.repeat([0, 1, 2], [40, 20, 40])
    kept, held = validation_split(y, 0.25, seed=3)
    assert sorted(np.concatenate([kept, held]).tolist()) == list(range(100))
    assert np.bincount(y[held]).tolist() == [10, 5, 10]
    again_kept, again_held = validation_split(y, 0.25, seed=3)
    assert np.array_equal(held, again_held) and not np.array_equal(held, validation_split(y, 0.25, seed=4)[1])


def test_unknown_evaluation_target_is_a_user_error(sample):
    with pytest.raises(ConfigError, match="evaluate_on"):
        run_continual(MODEL, [[0, 1], [2, 3]], data=sample, bp=False, rule_learner=PrototypeLearner(),
                      evaluate_on="train")


def test_cli_takes_the_validation_options():
    from neuroplastic.cli.main import build_parser

    args = build_parser().parse_args(["continual", "--evaluate-on", "validation", "--validation-fraction", "0.2"])
    assert args.evaluate_on == "validation" and args.validation_fraction == 0.2
