"""The typed training state of the rule: the synapses that exist, and the units' own variables.

Every engine executes the rule on this state, and checkpoints save it.
The input->hidden layer is stored as the synapses that exist, never as a
dense ``n_hidden x n_inputs`` matrix: each unit owns ``capacity`` slots,
each holding the index of its presynaptic input, its efficacy and its
birth time (``-1``: an empty slot). Memory and cost therefore scale with
``n_hidden x max_synapses_per_unit``.
"""

import dataclasses
from dataclasses import dataclass, field
from typing import Optional

import numpy as np
import scipy.sparse as sp

from .census import SynapseCensus

__all__ = ["HiddenSynapses", "ReadoutSynapses", "UnitState", "GainState", "Progress", "TrainingState"]

F32 = np.float32
EMPTY = -1


@dataclass
class HiddenSynapses:
    """Input->hidden synapses as per-unit slots.

    Attributes
    ----------
    index : numpy.ndarray of int32, shape (n_hidden, capacity)
        Presynaptic input of each slot (meaningless in an empty slot).
    weight : numpy.ndarray of float32, shape (n_hidden, capacity)
        Efficacy; 0 in an empty slot.
    birth : numpy.ndarray of int64, shape (n_hidden, capacity)
        Presentation count at which the synapse grew; ``-1`` for an empty slot.
    n_inputs : int
        Number of potential presynaptic inputs.
    """

    index: np.ndarray
    weight: np.ndarray
    birth: np.ndarray
    n_inputs: int

    @property
    def alive(self):
        """Mask of slots that hold a synapse."""
        return self.birth != EMPTY

    @property
    def n_hidden(self):
        return self.index.shape[0]

    @property
    def capacity(self):
        return self.index.shape[1]

    def count(self):
        """Synapses that exist (non-silent ones)."""
        return int(np.count_nonzero(self.birth != EMPTY))

    def per_unit(self):
        """Synapses held by each unit, shape (n_hidden,)."""
        return np.count_nonzero(self.birth != EMPTY, axis=1)

    def slot_matrix(self, start=0, stop=None):
        """The slots of units ``start:stop`` (all by default) as a CSR matrix: the fast layout for batch sums.

        Empty slots contribute weight 0. The matrix shares the slot arrays; nothing is copied.
        """
        weight, index = self.weight[start:stop], self.index[start:stop]
        H, C = index.shape
        indptr = np.arange(0, H * C + 1, C, dtype=np.int64 if H * C >= 2 ** 31 else np.int32)
        return sp.csr_matrix((weight.ravel(), index.ravel(), indptr), shape=(H, self.n_inputs))

    def to_csr(self):
        """The existing synapses as a CSR matrix with sorted indices (the saved network's layout)."""
        alive = self.alive
        rows = np.repeat(np.arange(self.n_hidden), alive.sum(axis=1))
        W = sp.csr_matrix((self.weight[alive], (rows, self.index[alive])), shape=(self.n_hidden, self.n_inputs),
                          dtype=F32)
        W.eliminate_zeros()
        W.sort_indices()
        return W

    def squared_norm(self):
        """``||w_j||^2`` of every unit (empty slots hold 0)."""
        return np.einsum("ij,ij->i", self.weight, self.weight)


@dataclass
class ReadoutSynapses:
    """Hidden->output synapses: signed efficacies over the (small) ``n_hidden x n_outputs`` pool.

    Attributes
    ----------
    weight : numpy.ndarray of float32, shape (n_hidden, n_outputs)
        Efficacy; 0 where no synapse exists.
    alive : numpy.ndarray of bool, same shape
        Which potential synapses exist.
    birth : numpy.ndarray of int64, same shape
        Presentation count at which each synapse grew (``-1``: none).
    bias : numpy.ndarray of float32, shape (n_outputs,)
    eligibility : numpy.ndarray of float32, same shape as ``weight``
        Running mean of each potential synapse's three-factor update (presynaptic
        activity x the output unit's learning signal); growth picks silent sites
        where it is largest.
    """

    weight: np.ndarray
    alive: np.ndarray
    birth: np.ndarray
    bias: np.ndarray
    eligibility: np.ndarray

    def per_unit(self):
        """Synapses held by each output unit, shape (n_outputs,)."""
        return self.alive.sum(axis=0)

    def count(self):
        return int(np.count_nonzero(self.alive))


@dataclass
class UnitState:
    """Each hidden unit's own variables: win count (learning rate 1/count), win rate, conscience bias."""

    counts: np.ndarray
    win_rate: np.ndarray
    conscience: np.ndarray


@dataclass
class GainState:
    """Running mean and variance of each hidden unit's activity (homeostatic gain control)."""

    mean: np.ndarray
    var: np.ndarray
    started: bool = False

    def std(self):
        return (np.sqrt(np.maximum(self.var, 0.0)) + 1e-6).astype(F32)


@dataclass
class Progress:
    """Where a session stands in the schedule; enough to resume exactly."""

    phase: int = 0
    epoch: int = 0
    position: int = 0
    presentations: int = 0
    since_event: int = 0
    session_done: int = 0
    elapsed_seconds: float = 0.0
    started_phase: int = -1
    window_loss: float = 0.0
    window_correct: int = 0
    window_count: int = 0
    session_closed: bool = False
    perm: Optional[np.ndarray] = None


@dataclass
class TrainingState:
    """The whole state of one learner: synapses, unit variables, gain, traces, progress and census."""

    hidden: HiddenSynapses
    readout: ReadoutSynapses
    units: UnitState
    gain: GainState
    input_trace: np.ndarray
    taught_before: np.ndarray
    progress: Progress = field(default_factory=Progress)
    census: SynapseCensus = field(default_factory=SynapseCensus)
    session_scaling_factor: Optional[float] = None

    _PARTS = ("hidden", "readout", "units", "gain")

    def to_arrays(self):
        """Flatten into ``(arrays, values)``: a dict of NumPy arrays and a JSON-ready dict."""
        arrays, values = {}, {}
        for part in self._PARTS:
            for f in dataclasses.fields(getattr(self, part)):
                value = getattr(getattr(self, part), f.name)
                (arrays if isinstance(value, np.ndarray) else values)[f"{part}.{f.name}"] = value
        arrays["input_trace"] = self.input_trace
        arrays["taught_before"] = self.taught_before
        progress = dataclasses.asdict(self.progress)
        perm = progress.pop("perm")
        if perm is not None:
            arrays["progress.perm"] = perm
        values["progress"] = progress
        values["session_scaling_factor"] = self.session_scaling_factor
        census_arrays, census_values = self.census.to_arrays()
        arrays.update({f"census.{k}": v for k, v in census_arrays.items()})
        values["census"] = census_values
        return arrays, values

    @classmethod
    def from_arrays(cls, arrays, values):
        """Inverse of :meth:`to_arrays`."""
        kinds = {"hidden": HiddenSynapses, "readout": ReadoutSynapses, "units": UnitState, "gain": GainState}
        parts = {}
        for part, kind in kinds.items():
            kwargs = {}
            for f in dataclasses.fields(kind):
                key = f"{part}.{f.name}"
                kwargs[f.name] = np.array(arrays[key]) if key in arrays else values[key]
            parts[part] = kind(**kwargs)
        progress = Progress(**values["progress"], perm=np.array(arrays["progress.perm"])
                            if "progress.perm" in arrays else None)
        census = SynapseCensus.from_arrays({k[len("census."):]: np.array(v) for k, v in arrays.items()
                                            if k.startswith("census.")}, values["census"])
        return cls(**parts, input_trace=np.array(arrays["input_trace"]),
                   taught_before=np.array(arrays["taught_before"]), progress=progress, census=census,
                   session_scaling_factor=values.get("session_scaling_factor"))
