"""The rule's invariants, checked on every form of the rule that trains (the `engine` fixture, tests/conftest.py).

Each form is fitted once per session on 40 images of the bundled sample
(tests/engines.py records the hidden layer after every batch); the
determinism test fits it twice more. ``brian2-spiking`` runs its hidden pass
as one Brian2 run; its records and progress reports show the layer as each
rewiring event left it (snapshots the network took), and the readout phase
runs in the vectorized engine from the same state.
"""

import numpy as np

from neuroplastic.network import TrainedNetwork
from neuroplastic.rule.census import synapse_keys
from neuroplastic.rule.state import EMPTY, HiddenSynapses

from engines import TINY


def _keys(snapshot, n_inputs):
    return synapse_keys(HiddenSynapses(index=snapshot.index, weight=snapshot.weight, birth=snapshot.birth,
                                       n_inputs=n_inputs))


def _hidden_budget(learner):
    """The hidden budget of each phase name a history record can carry."""
    budget = {phase.name: phase.hidden_budget for phase in learner.schedule_}
    budget["readout start"] = budget["readout"]
    return budget


def test_hidden_efficacies_are_never_negative(engine):
    run = engine.run
    learner = run.learner
    assert len(run.snapshots) >= 10  # the rate form reports once per Brian2 readout run (see tests/engines.py)
    for snapshot in run.snapshots:
        alive = snapshot.birth != EMPTY
        assert (snapshot.weight[alive] >= 0).all(), f"negative efficacy after {snapshot.done} presentations"
        assert not snapshot.weight[~alive].any()  # an empty slot carries no efficacy
    assert learner.hidden_weights_.nnz > 0 and (learner.hidden_weights_.data >= 0).all()
    assert (learner.state_.hidden.weight >= 0).all()


def test_no_unit_exceeds_its_budget_at_any_event_or_batch(engine):
    learner = engine.run.learner
    budget = _hidden_budget(learner)
    output_budget = TINY["output"].synapses_per_unit
    history = learner.history_
    assert {r["phase"] for r in history} == {"hidden", "readout start", "readout"}
    for record in history:
        assert record["max_hidden_per_unit"] <= budget[record["phase"]], record
        assert record["max_output_per_unit"] <= output_budget, record
    consolidated = False
    for snapshot in engine.run.snapshots:
        consolidated = consolidated or any(r["phase"] == "readout start" for r in history[:snapshot.events])
        per_unit = np.count_nonzero(snapshot.birth != EMPTY, axis=1)
        limit = budget["readout"] if consolidated else budget["hidden"]
        assert per_unit.max() <= limit, f"{per_unit.max()} synapses on a unit after {snapshot.done} presentations"
        assert snapshot.max_output_per_unit <= output_budget
    assert consolidated
    # the budgets bind: some unit is at its hidden budget, some output unit at its output budget
    assert max(np.count_nonzero(s.birth != EMPTY, axis=1).max() for s in engine.run.snapshots) == budget["hidden"]
    assert learner.state_.readout.per_unit().max() == output_budget


def test_a_hidden_update_changes_only_units_that_won(engine):
    snapshots = engine.run.snapshots
    compared = changed_total = idle_total = 0
    for before, after in zip(snapshots, snapshots[1:]):
        if after.events != before.events or after.index.shape != before.index.shape:
            continue  # a rewiring event or consolidation came in between: those are not updates of winners
        changed = ((after.index != before.index) | (after.weight != before.weight)
                   | (after.birth != before.birth)).any(axis=1)
        won = after.counts > before.counts
        assert not (changed & ~won).any(), (
            f"units {np.flatnonzero(changed & ~won).tolist()} changed without winning "
            f"between {before.done} and {after.done} presentations")
        compared += 1
        changed_total += int(changed.sum())
        idle_total += int((~won).sum())
    assert compared >= 5 and changed_total > 0 and idle_total > 0


def test_grown_minus_eliminated_is_the_change_in_count_at_every_event(engine, engine_images):
    run = engine.run
    learner = run.learner
    history = learner.history_
    born = run.born(engine_images[0])
    counts = [born.count()] + [r["nonsilent_hidden"] for r in history]
    for before, record in zip(counts, history):
        assert record["nonsilent_hidden"] - before == record["grown"] - record["eliminated"], record
    pending = learner.state_.census  # growth and elimination since the last record
    assert learner.state_.hidden.count() - history[-1]["nonsilent_hidden"] == pending.grown - pending.eliminated
    dynamics = learner.dynamics_
    assert dynamics["grown"] - dynamics["eliminated"] == learner.state_.hidden.count() - born.count()
    assert dynamics["grown"] == sum(r["grown"] for r in history) + pending.grown
    assert dynamics["eliminated"] == sum(r["eliminated"] for r in history) + pending.eliminated
    assert dynamics["grown"] > 0 and sum(r["eliminated"] > 0 for r in history) >= 2
    # the records describe the synapses themselves: right after each rewiring event the state holds the recorded
    # count, and the synapses that appeared (disappeared) since the previous one are at most those recorded as grown
    # (eliminated) in between
    previous, previous_keys, checked = 0, synapse_keys(born), 0
    for snapshot in run.snapshots:
        if snapshot.events == previous or history[snapshot.events - 1]["presentations"] != snapshot.done:
            continue  # no new record, or the newest is a phase change made before this batch
        keys = _keys(snapshot, born.n_inputs)
        assert keys.size == history[snapshot.events - 1]["nonsilent_hidden"]
        between = history[previous:snapshot.events]
        assert np.setdiff1d(keys, previous_keys).size <= sum(r["grown"] for r in between)
        assert np.setdiff1d(previous_keys, keys).size <= sum(r["eliminated"] for r in between)
        previous, previous_keys, checked = snapshot.events, keys, checked + 1
    assert checked >= 4


def test_the_same_seed_gives_the_same_state_and_another_seed_another(engine, engine_images):
    X, y = engine_images
    first = engine.run
    again = engine.form.fit(X, y)
    arrays, values = first.learner.state_.to_arrays()
    arrays_again, values_again = again.learner.state_.to_arrays()
    assert arrays.keys() == arrays_again.keys()
    for name in arrays:
        np.testing.assert_array_equal(arrays_again[name], arrays[name], err_msg=name)
    for part in (values, values_again):
        part["progress"].pop("elapsed_seconds")
    assert values_again == values
    assert again.learner.history_ == first.learner.history_
    assert len(again.snapshots) == len(first.snapshots)
    for a, b in zip(first.snapshots, again.snapshots):
        np.testing.assert_array_equal(a.weight, b.weight)
    other = engine.form.fit(X, y, random_state=TINY["random_state"] + 1)
    assert not np.array_equal(other.learner.state_.hidden.index, first.learner.state_.hidden.index)
    assert (other.learner.hidden_weights_ != first.learner.hidden_weights_).nnz > 0


def test_the_saved_network_loads_back_identical(engine, engine_images, tmp_path):
    learner = engine.run.learner
    network = learner.to_network()
    assert network.metadata["engine"] == engine.form.name
    network.save(tmp_path / "network.npz")
    loaded = TrainedNetwork.load(tmp_path / "network.npz")
    for name in ("hidden_weights", "output_weights"):
        saved, back = getattr(network, name), getattr(loaded, name)
        assert back.shape == saved.shape
        for part in ("data", "indices", "indptr"):
            np.testing.assert_array_equal(getattr(back, part), getattr(saved, part), err_msg=f"{name}.{part}")
    for name in ("hidden_bias", "output_bias", "classes"):
        np.testing.assert_array_equal(getattr(loaded, name), getattr(network, name), err_msg=name)
    assert loaded.activation == network.activation and loaded.metadata == network.metadata
    X, _ = engine_images
    np.testing.assert_array_equal(loaded.decision_function(X), network.decision_function(X))
    np.testing.assert_array_equal(loaded.predict(X), learner.predict(X))
    assert loaded.n_nonsilent == learner.n_synapses_
    np.testing.assert_array_equal(loaded.hidden_weights.toarray(), learner.hidden_weights_.toarray())
