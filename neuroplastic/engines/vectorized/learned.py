"""The learner's side of a training state, shared by every engine that executes the rule on it.

A learner keeps a :class:`~neuroplastic.rule.state.TrainingState`; these
functions build the state a session starts from, turn it into the public
learned attributes (``hidden_weights_`` ...), and write the records of
``history_``. The vectorized learner and the Brian2 learner both call them,
so both export the same network and the same history format.
"""

import numpy as np

from ...rule import structural
from . import training
from ...rule.activations import DISTANCE_ACTIVATIONS
from ...rule.state import GainState, TrainingState, UnitState

__all__ = ["open_phase", "initial_state", "gain_terms", "learned_attributes", "history_record", "trained_network",
           "inference_network", "check_fitted"]

F32 = np.float32


def initial_state(rule, rng, n_hidden, X, n_classes):
    """The state a first session starts from: the synapses units are born with and fresh unit variables.

    Parameters
    ----------
    rule : RuleParams
    rng : numpy.random.Generator
    n_hidden : int
    X : numpy.ndarray, shape (n_samples, n_inputs)
        Training images (the inputs active at birth are drawn from them).
    n_classes : int

    Returns
    -------
    TrainingState
    """
    r = rule.rewiring
    hidden = structural.new_hidden_synapses(
        rng, n_hidden, X.shape[1], capacity=r.max_synapses_per_unit, n_initial=r.n_initial, support=r.initial_support,
        weight_low=rule.hidden.initial_weight_low, weight_high=rule.hidden.initial_weight_high,
        growth_weight=r.growth_weight, images=X)
    return TrainingState(
        hidden=hidden,
        readout=structural.new_readout_synapses(rng, n_hidden, n_classes, rule.output.synapses_per_unit),
        units=UnitState(counts=np.full(n_hidden, rule.hidden.initial_win_count, dtype=F32),
                        win_rate=np.full(n_hidden, 1.0 / n_hidden, dtype=F32), conscience=np.zeros(n_hidden, dtype=F32)),
        gain=GainState(mean=np.zeros(n_hidden), var=np.ones(n_hidden)),
        input_trace=X.mean(axis=0, dtype=np.float64),
        taught_before=np.zeros(n_classes, dtype=bool))


def gain_terms(state, rule):
    """``(mean, std)`` of the homeostatic gain control folded into the readout (0 and 1 when it is off)."""
    gain, H = state.gain, state.hidden.n_hidden
    if rule.output.standardize and gain.started:
        return gain.mean.astype(F32), gain.std()
    return np.zeros(H, F32), np.ones(H, F32)


def learned_attributes(state, rule, activation):
    """The public learned attributes of a learner, from its training state.

    Returns
    -------
    dict
        ``hidden_weights_`` (CSR of the existing synapses), ``hidden_bias_``,
        ``output_weights_`` (gain control folded in), ``output_bias_``,
        ``n_synapses_``, ``dynamics_`` (census summary) and ``fit_seconds_``.
    """
    W = state.hidden.to_csr()
    norm = state.hidden.squared_norm().astype(F32)
    mean, std = gain_terms(state, rule)
    effective = state.readout.weight / std[:, None]
    output_weights = np.ascontiguousarray(effective.T, dtype=F32)
    hidden = int(W.count_nonzero())
    output = int(np.count_nonzero(output_weights))
    return {
        "hidden_weights_": W,
        "hidden_bias_": norm if activation in DISTANCE_ACTIVATIONS else (-0.5 * norm).astype(F32),
        "output_weights_": output_weights,
        "output_bias_": (state.readout.bias - mean @ effective).astype(F32),
        "n_synapses_": {"hidden": hidden, "output": output, "total": hidden + output},
        "dynamics_": state.census.summary(),
        "fit_seconds_": float(state.progress.elapsed_seconds),
    }


def history_record(state, phase, event):
    """One record of ``history_`` (a rewiring event or a phase change); resets the running loss and accuracy.

    Parameters
    ----------
    state : TrainingState
    phase : str
        Name written into the record (``"hidden"``, ``"readout"``, ``"readout start"`` ...).
    event : int
        Number of the record.
    """
    p = state.progress
    grown, eliminated, out_grown, out_eliminated = state.census.take_counts()
    n = p.window_count
    hidden = state.hidden.count()
    record = {
        "event": int(event), "phase": phase, "presentations": int(p.presentations),
        "nonsilent_hidden": hidden, "nonsilent_output": state.readout.count(),
        "max_hidden_per_unit": int(state.hidden.per_unit().max()),
        "max_output_per_unit": int(state.readout.per_unit().max()),
        "grown": int(grown), "eliminated": int(eliminated),
        "turnover": float(eliminated / (hidden + eliminated - grown)) if hidden + eliminated - grown > 0 else 0.0,
        "output_grown": int(out_grown), "output_eliminated": int(out_eliminated),
        "loss": float(p.window_loss / n) if n else None,
        "train_accuracy": float(p.window_correct / n) if n else None,
    }
    p.window_loss, p.window_correct, p.window_count = 0.0, 0, 0
    return record


def open_phase(state, phase, rule):
    """Start a phase: consolidate the hidden layer to the phase's budget (a local, per-unit decision).

    Returns
    -------
    bool
        Whether synapses were consolidated (then the caller records the event).
    """
    state.progress.started_phase = state.progress.phase
    if phase.hidden_budget >= state.hidden.capacity:
        return False
    state.hidden, lifetimes = structural.consolidate(state.hidden, phase.hidden_budget, state.progress.presentations,
                                                     training.upkeep(state, rule))
    state.census.record_elimination(lifetimes)
    return True


#: The learned attributes a :class:`~neuroplastic.network.TrainedNetwork` is made of.
NETWORK_ATTRIBUTES = ("hidden_weights_", "hidden_bias_", "output_weights_", "output_bias_", "classes_")


def trained_network(learner, engine):
    """A fitted learner's network as a :class:`~neuroplastic.network.TrainedNetwork`, with copies of its arrays.

    Parameters
    ----------
    learner : StructuralPlasticityClassifier or Brian2Classifier
        A fitted learner (``output_weights_`` set).
    engine : str
        Recorded in the network's metadata (``"vectorized"``, ``"brian2-rate"`` ...).

    Raises
    ------
    ConfigError
        If the learner is not fitted.
    """
    import scipy.sparse as sp

    from ...network import TrainedNetwork

    check_fitted(learner)
    return TrainedNetwork(
        hidden_weights=learner.hidden_weights_.copy(), hidden_bias=learner.hidden_bias_.copy(),
        output_weights=sp.csr_matrix(learner.output_weights_), output_bias=learner.output_bias_.copy(),
        activation=learner.activation, classes=learner.classes_.copy(),
        activation_params=dict(learner.activation_params or {}),
        metadata={"engine": engine, "n_synapses": dict(learner.n_synapses_)})


def inference_network(learner):
    """The network a learner predicts with, built once and kept while its learned arrays stay the same objects.

    ``decision_function`` used to build a new network, and with it a new
    kernel layout, on every call. Learning replaces the learned arrays (it
    never edits them in place), which makes a new network here.
    """
    check_fitted(learner)
    arrays = tuple(getattr(learner, name) for name in NETWORK_ATTRIBUTES)
    cached = getattr(learner, "_inference_network", None)
    if cached is None or any(a is not b for a, b in zip(cached[0], arrays)):
        cached = (arrays, learner.to_network())
        learner._inference_network = cached
    return cached[1]


def check_fitted(learner):
    """Raise :class:`~neuroplastic.errors.ConfigError` unless ``learner`` is fitted (``output_weights_`` set)."""
    from ...errors import ConfigError

    if not hasattr(learner, "output_weights_"):
        raise ConfigError(f"{type(learner).__name__} is not fitted yet; call fit(X, y) first")
