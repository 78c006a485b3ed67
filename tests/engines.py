"""Every form of the rule that can train, behind one interface for the `engine` fixture (tests/conftest.py).

A form is named ``vectorized`` (NumPy), ``brian2-rate`` or ``brian2-spiking``
(:class:`~neuroplastic.engines.brian2.Brian2Classifier` with that ``mode``).
:meth:`Engine.fit` trains a tiny network on 40 images of the bundled sample
and records, after every batch (through the learner's ``progress``
callback), the hidden synapses, the win counts and how many rewiring events
``history_`` holds by then: the material the rule's invariants are checked
on (tests/test_rule_engines.py).

The Brian2 engine updates its training state once per Brian2 run (in the
rate form a run lasts until the next rewiring event; in the spiking form a
whole hidden pass, whose records show the layer as each event left it), so
between two of its records the state may have moved by several batches;
the invariants hold at that granularity too. In the rate form's readout
phases the readout itself is one Brian2 run per stretch, so the learner
reports progress once per run there, not after every batch.
"""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import numpy as np

from neuroplastic.datasets import load_sample
from neuroplastic.engines.vectorized import StructuralPlasticityClassifier, learned
from neuroplastic.rule.params import HomeostasisParams, OutputRuleParams, RewiringParams

__all__ = ["ENGINES", "TINY", "Engine", "FittedEngine", "Recording", "Snapshot", "tiny_images"]

ENGINES = ("vectorized", "brian2-rate", "brian2-spiking")

#: A tiny model on which every part of the schedule happens: growth with elimination to make room (12 slots),
#: threshold elimination at rewiring events every 12 presentations, consolidation to 8 synapses at the start of the
#: readout phase, and output turnover under a budget of 4 synapses per output unit.
TINY = dict(
    n_hidden=16, hidden_epochs=1, readout_epochs=1, batch_size=4,
    rewiring=RewiringParams(max_synapses_per_unit=12, synapses_per_unit=8, initial_synapses=10, growth_probability=0.5,
                            readout_growth_probability=0.2, elimination_threshold=0.02, period=12),
    homeostasis=HomeostasisParams(strength=30.0, time_constant=50.0),
    output=OutputRuleParams(n_perturbations=2, synapses_per_unit=4),
    random_state=7,
)


def tiny_images(n=40):
    """The first ``n`` training images of the bundled sample and their labels."""
    train = load_sample().train
    return train.X[:n], train.y[:n]


@dataclass
class Snapshot:
    """The hidden layer after one batch (copies)."""

    done: int
    events: int
    index: np.ndarray
    weight: np.ndarray
    birth: np.ndarray
    counts: np.ndarray
    max_output_per_unit: int


@dataclass
class Recording:
    """A fitted learner with its per-batch snapshots."""

    learner: object
    snapshots: list = field(default_factory=list)

    def born(self, X):
        """The hidden synapses the learner was born with (the rule's synaptogenesis under the same seed)."""
        learner = self.learner
        return learned.initial_state(learner.rule_params(), np.random.default_rng(learner.random_state),
                                     learner.n_hidden, X, learner.classes_.size).hidden


@dataclass(frozen=True)
class Engine:
    """One form of the rule.

    Parameters
    ----------
    name : str
        One of :data:`ENGINES`.
    target : str
        Brian2 code-generation target of the Brian2 forms.
    build_dir : Path, optional
        Brian2's cache folder (one per test session, so cython compiles each code object once).
    """

    name: str
    target: str = "numpy"
    build_dir: Optional[Path] = None

    @property
    def is_brian2(self):
        return self.name.startswith("brian2-")

    def learner(self, **overrides):
        """An unfitted learner of this form with the :data:`TINY` hyperparameters (and ``overrides``)."""
        kwargs = {**TINY, **overrides}
        if not self.is_brian2:
            return StructuralPlasticityClassifier(**kwargs)
        from neuroplastic.engines.brian2 import Brian2Classifier

        return Brian2Classifier(mode=self.name.split("-", 1)[1], target=self.target, build_dir=self.build_dir,
                                **kwargs)

    def fit(self, X, y, **overrides):
        """Fit a learner and record the hidden layer after every batch.

        Returns
        -------
        Recording
        """
        learner = self.learner(**overrides)
        recording = Recording(learner)

        def record(done, total, nonsilent):
            state = learner.state_
            hidden = state.hidden
            assert hidden.count() == nonsilent  # the callback reports the state it is given
            recording.snapshots.append(Snapshot(
                done=done, events=len(learner.history_), index=hidden.index.copy(), weight=hidden.weight.copy(),
                birth=hidden.birth.copy(), counts=state.units.counts.copy(),
                max_output_per_unit=int(state.readout.per_unit().max())))

        learner.fit(X, y, progress=record)
        return recording


@dataclass
class FittedEngine:
    """What the `engine` fixture gives: the form of the rule and the recording of its fit on the engine images."""

    form: Engine
    run: Recording
