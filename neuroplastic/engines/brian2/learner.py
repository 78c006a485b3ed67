"""`Brian2Classifier`: the rule run by Brian2, with the face of the vectorized learner.

The schedule is the vectorized engine's (see
:mod:`neuroplastic.engines.vectorized.training`) with one image per
presentation:

1. hidden passes in Brian2 (rate form: one presentation per time step;
   spiking form: Poisson inputs and LIF units), a rewiring event every
   ``rewiring.period`` presentations (a ``run_regularly`` operation);
2. a consolidation event that imposes the per-unit synapse budget
   (``keep_strongest`` on the weights read back from Brian2, as in the
   vectorized engine);
3. output passes in Brian2: the three-factor node-perturbation rule on the
   hidden activity of the consolidated layer (the rule's activation).

The random draws that set the initial weights and the presentation order
come from one NumPy generator in the same sequence as the vectorized engine,
so the same seed shows the same images in the same order.
"""

import time

import numpy as np

from ...errors import ConfigError
from ...optional import require
from ...rule import updates
from ..vectorized import training
from ..vectorized.classifier import StructuralPlasticityClassifier
from .device import brian2_target
from .rate import run_rate_hidden
from .readout import run_readout
from .spiking import SpikingParams, run_spiking_hidden

__all__ = ["Brian2Classifier", "make_brian2_learner", "train_brian2"]

F32 = np.float32
MODES = ("rate", "spiking")


class Brian2Classifier(StructuralPlasticityClassifier):
    """The structural-plasticity classifier executed by Brian2 (rate or spiking form).

    Parameters
    ----------
    mode : {"rate", "spiking"}
        Rate form (held against the vectorized engine) or spiking form.
    n_hidden, activation, activation_params, epochs, hidden, rewiring, homeostasis, output, random_state, progress
        As for :class:`~neuroplastic.engines.vectorized.StructuralPlasticityClassifier`.
    batch_size : int
        Brian2 presents one image at a time. The readout's learning rate per
        presentation is ``output.learning_rate / batch_size``, so that a pass
        makes the progress of the vectorized engine at this batch size (with
        ``batch_size=1`` both engines execute the same per-presentation rule).
    spiking : SpikingParams, optional
        Biophysical parameters of the spiking form.
    target : {"numpy", "cython", "cpp_standalone"}
        Brian2 code-generation target. The rate form runs on runtime targets
        only; the spiking form on all three.
    build_dir : str or Path, optional
        Folder for the cython cache / standalone build (a temporary folder if omitted).

    Attributes
    ----------
    As for the vectorized learner, plus ``spiking_info_`` (spike counts of the hidden passes).
    """

    def __init__(self, *, mode="rate", n_hidden=1000, activation="triangle", activation_params=None, epochs=21,
                 batch_size=1, hidden=None, rewiring=None, homeostasis=None, output=None, spiking=None,
                 target="numpy", build_dir=None, random_state=None, progress=None):
        super().__init__(n_hidden=n_hidden, activation=activation, activation_params=activation_params,
                         epochs=epochs, batch_size=batch_size, hidden=hidden, rewiring=rewiring,
                         homeostasis=homeostasis, output=output, random_state=random_state, progress=progress)
        self.mode = mode
        self.spiking = spiking
        self.target = target
        self.build_dir = build_dir

    def get_params(self, deep=True):
        return super().get_params(deep) | {"mode": self.mode, "spiking": self.spiking, "target": self.target,
                                           "build_dir": self.build_dir}

    def _check_brian2_options(self, rule):
        if self.mode not in MODES:
            raise ConfigError("mode", f"must be one of {', '.join(MODES)}, got {self.mode!r}")
        if self.mode == "rate" and self.target == "cpp_standalone":
            raise ConfigError("target", "the rate form runs on the runtime targets 'numpy' or 'cython'")
        o = rule.output
        if o.method != "node" or o.hebbian_rate > 0 or o.synapse_budget is not None:
            raise ConfigError("rule.output", "the Brian2 readout implements node perturbation only "
                              "(method='node', hebbian_rate=0, no synapse_budget)")

    # -- training ----------------------------------------------------------
    def fit(self, X, y, *, progress=None, checkpoint=None, checkpoint_every=None, resume_state=None,
            max_presentations=None):
        """Train on images ``X`` with labels ``y``.

        ``max_presentations`` stops after that many hidden presentations
        (before consolidation and readout). ``progress``, ``checkpoint`` and
        ``checkpoint_every`` are accepted for the vectorized learner's face;
        a Brian2 run is one simulation and writes no checkpoints.

        Returns
        -------
        self

        Raises
        ------
        ConfigError
            With ``resume_state`` (resuming needs the vectorized engine).
        """
        if resume_state is not None:
            raise ConfigError("resume", "is not available in the Brian2 engine; use the vectorized engine")
        rule = self._rule_params = self._validate_hyperparameters()
        self._check_brian2_options(rule)
        X, y = self._check_training_data(X, y, None)
        self._start(X, y, None)
        s, rng = self._state, self._rng
        N = X.shape[0]
        hidden_passes, dense_out, retrain = self._schedule()
        started = time.perf_counter()
        self.spiking_info_ = {}
        warmup = [rng.permutation(N) for _ in range(rule.hidden.epochs)]
        order = np.concatenate(warmup)
        if max_presentations is not None:
            order = order[:max_presentations]
        self._hidden_phase(X, order, with_budget=False)
        if max_presentations is not None and max_presentations <= len(order):
            s["elapsed_seconds"] = time.perf_counter() - started
            self._export()
            return self
        if rule.hidden.consolidation_epochs:
            grown, eliminated = self._budget_event(rng, with_growth=False)
            self._record("consolidation", grown, eliminated)
            order = np.concatenate([rng.permutation(N) for _ in range(rule.hidden.consolidation_epochs)])
            self._hidden_phase(X, order, with_budget=True)
        grown, eliminated = self._budget_event(rng, with_growth=False)
        s["consolidated"] = True
        self._record("consolidation", grown, eliminated)
        self._readout_phase(X, rng, dense_out)
        s["elapsed_seconds"] = time.perf_counter() - started
        self._export()
        return self

    def partial_fit(self, X, y, classes=None):
        raise ConfigError("partial_fit", "is not available in the Brian2 engine; use the vectorized engine")

    def resume(self, *args, **kwargs):
        raise ConfigError("resume", "is not available in the Brian2 engine; use the vectorized engine")

    def _record(self, phase, grown=0, eliminated=0, nonsilent=None, presentations=None, loss=None, accuracy=None):
        s = self._state
        self.history_.append({
            "event": len(self.history_), "phase": phase,
            "presentations": int(s["presentations"] if presentations is None else presentations),
            "nonsilent_hidden": int(s["mask"].sum() if nonsilent is None else nonsilent),
            "nonsilent_output": int(np.count_nonzero(s["V"])),
            "grown": int(grown), "eliminated": int(eliminated),
            "loss": None if loss is None else float(loss),
            "train_accuracy": None if accuracy is None else float(accuracy),
        })

    def _budget_event(self, rng, with_growth):
        r = self._rule_params.rewiring
        s = self._state
        s["W"], s["mask"], grown, eliminated = updates.rewiring_event(
            s["W"], s["mask"], rng, elimination_threshold=r.elimination_threshold,
            growth_probability=r.growth_probability if with_growth else 0.0, growth_weight=r.growth_weight,
            synapses_per_unit=r.synapses_per_unit, upkeep=training.upkeep(s, self._rule_params))
        return grown, eliminated

    def _hidden_phase(self, X, order, with_budget):
        """Hidden passes in Brian2. Under a budget (consolidation passes) the budget itself is imposed by the
        consolidation events before and after the phase; the events inside it eliminate and grow only."""
        rule, s = self._rule_params, self._state
        r, h = rule.rewiring, rule.homeostasis
        seed = int(self._rng.integers(2 ** 31))
        start = s["presentations"]
        training.record_inputs(s, X[order])
        with brian2_target(self.target, self.build_dir):
            if self.mode == "rate":
                events = run_rate_hidden(s, X, order, gamma=h.strength, tau_h=h.time_constant, period=r.period,
                                         w_elim=r.elimination_threshold, p_grow=r.growth_probability,
                                         w_grow=r.growth_weight, seed=seed)
            else:
                info = run_spiking_hidden(s, X, order, self.spiking or SpikingParams(), period=r.period,
                                          w_elim=r.elimination_threshold, p_grow=r.growth_probability,
                                          w_grow=r.growth_weight, seed=seed,
                                          standalone=self.target == "cpp_standalone")
                events = info.pop("events")
                totals = self.spiking_info_
                for key in ("n_spikes", "simulation_seconds"):
                    totals[key] = totals.get(key, 0) + info[key]
                totals["presentations"] = totals.get("presentations", 0) + len(order)
                totals["spikes_per_presentation"] = totals["n_spikes"] / totals["presentations"]
                totals["units_that_fired"] = max(totals.get("units_that_fired", 0), info["units_that_fired"])
                totals["mean_rate_hz"] = info["mean_rate_hz"]
        for k, (nonsilent, grown, eliminated) in enumerate(events):
            self._record("rewiring", grown, eliminated, nonsilent=nonsilent, presentations=start + (k + 1) * r.period)
        s["presentations"] = start + len(order)

    def _readout_phase(self, X, rng, passes):
        rule, s = self._rule_params, self._state
        o = rule.output
        F = self._readout_features(X)
        N = X.shape[0]
        order = np.concatenate([rng.permutation(N) for _ in range(passes)])
        rates = o.learning_rate / self.batch_size * (1.0 - np.arange(len(order)) / len(order))
        with brian2_target("numpy" if self.target == "cpp_standalone" else self.target, self.build_dir):
            s["V"], s["b"], loss, correct = run_readout(
                s["V"], s["b"], F, self._y_index, order, learning_rates=rates, noise_std=o.noise_std,
                n_perturbations=o.n_perturbations, antithetic=o.antithetic, seed=int(rng.integers(2 ** 31)))
        period = rule.rewiring.period
        start = s["presentations"]
        for end in range(period, len(order) + 1, period):
            window = slice(end - period, end)
            self._record("readout", presentations=start + end, loss=loss[window].mean(),
                         accuracy=correct[window].mean())
        s["presentations"] = start + len(order)

    def to_network(self):
        network = super().to_network()
        network.metadata["engine"] = f"brian2-{self.mode}"
        return network


def make_brian2_learner(model, mode, *, target=None, build_dir=None, spiking=None):
    """The Brian2 learner for a model definition (the counterpart of :func:`neuroplastic.engines.make_learner`).

    Parameters
    ----------
    model : ModelDefinition
    mode : {"rate", "spiking"}
    target : str, optional
        Default ``numpy`` for the rate form, ``cpp_standalone`` for the spiking form.
    build_dir : str or Path, optional
    spiking : SpikingParams, optional

    Returns
    -------
    Brian2Classifier
    """
    if mode not in MODES:
        raise ConfigError("mode", f"must be one of {', '.join(MODES)}, got {mode!r}")
    require("brian2", "the Brian2 engine")
    return Brian2Classifier.from_params(
        model.rule, mode=mode, n_hidden=model.network.n_hidden, activation=model.network.activation,
        epochs=model.training.epochs, batch_size=model.training.batch_size, random_state=model.training.seed,
        target=target or ("numpy" if mode == "rate" else "cpp_standalone"), build_dir=build_dir, spiking=spiking)


def train_brian2(model, data, mode, *, target=None, build_dir=None, spiking=None, progress=None):
    """Train a model definition with the Brian2 engine; same return contract as the vectorized learner.

    Parameters
    ----------
    model : ModelDefinition
    data : TrainingData or any object with ``X_train`` and ``y_train``
    mode : {"rate", "spiking"}
    target : str, optional
        Brian2 target; default ``numpy`` for the rate form and ``cpp_standalone`` for the spiking form.
    build_dir : str or Path, optional
        Cython cache / standalone build folder (e.g. inside the run folder).
    spiking : SpikingParams, optional

    Returns
    -------
    Brian2Classifier
        Fitted; ``to_network()`` and ``history_`` as for the vectorized learner.
    """
    learner = make_brian2_learner(model, mode, target=target, build_dir=build_dir, spiking=spiking)
    return learner.fit(data.X_train, data.y_train, progress=progress)
