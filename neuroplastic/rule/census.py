"""Census of synapse dynamics: growth, elimination, turnover, survival, lifetimes, weight distributions.

The census reads only birth times and efficacies, so any engine that keeps
a :class:`~neuroplastic.rule.state.HiddenSynapses` can feed it. A synapse is
identified by its birth time, its unit and its input (:func:`synapse_keys`),
so a synapse regrown later at the same site counts as a new one, and slots
may be compacted without losing track.

Notes
-----
- Turnover of a period: the fraction of the synapses present at its start
  that were eliminated by its end.
- Survival curve: of the synapses present at a reference time t, the
  fraction still present at t + Delta (one curve per reference time).
- Lifetime: presentations between a synapse's growth and its elimination;
  the mean lifetime counts completed lifetimes only (survivors are
  right-censored and reported apart, as their mean age).
- Weight distribution: histogram of log10 efficacy and the maximum-likelihood
  lognormal fit (mu, sigma of ln w). Synaptic weights in cortex are close to
  lognormal (Song et al. 2005; Buzsaki and Mizuseki 2014).
"""

from dataclasses import dataclass, field

import numpy as np

__all__ = ["SynapseCensus", "synapse_keys", "LIFETIME_EDGES", "WEIGHT_LOG10_EDGES", "REFERENCE_EPOCHS", "lognormal_fit"]

#: Lifetime histogram edges in presentations (powers of two).
LIFETIME_EDGES = 2.0 ** np.arange(0, 32)
#: Weight histogram edges in log10 efficacy.
WEIGHT_LOG10_EDGES = np.linspace(-4.0, 0.5, 46)
#: Survival is followed from the end of these passes (counted over the session).
REFERENCE_EPOCHS = (1, 2, 4, 8, 16, 32)


def synapse_keys(hidden):
    """One integer per existing synapse that identifies it: (birth time, unit, input), sorted."""
    alive = hidden.birth >= 0
    keys = np.nonzero(alive)[0].astype(np.int64)  # unit of each synapse
    keys *= hidden.n_inputs
    keys += hidden.index[alive]
    keys |= hidden.birth[alive] << 36
    keys.sort()
    return keys


def _surviving(reference, current):
    """Fraction of the keys in ``reference`` that are still in ``current`` (both sorted)."""
    if reference.size == 0 or current.size == 0:
        return 0.0
    position = np.searchsorted(current, reference)
    np.minimum(position, current.size - 1, out=position)
    return float(np.count_nonzero(current[position] == reference) / reference.size)


def lognormal_fit(weights):
    """Maximum-likelihood lognormal fit of positive efficacies: ``(mu, sigma)`` of ``ln w``, or ``(None, None)``."""
    w = np.asarray(weights, dtype=np.float64)
    w = w[w > 0]
    if w.size < 2:
        return None, None
    logs = np.log(w)
    return float(logs.mean()), float(logs.std())


@dataclass
class SynapseCensus:
    """Counts and curves of the hidden (and output) synapse dynamics of one learner."""

    grown: int = 0
    eliminated: int = 0
    output_grown: int = 0
    output_eliminated: int = 0
    total_grown: int = 0
    total_eliminated: int = 0
    lifetime_sum: float = 0.0
    lifetime_count: int = 0
    lifetime_counts: np.ndarray = field(default_factory=lambda: np.zeros(LIFETIME_EDGES.size, dtype=np.int64))
    references: list = field(default_factory=list)      # reference times (presentations)
    reference_keys: list = field(default_factory=list)  # synapse keys present at those times
    epoch_start: int = -1
    epoch_start_keys: np.ndarray = None
    survival: list = field(default_factory=list)
    epochs: list = field(default_factory=list)
    weights: list = field(default_factory=list)

    # -- events ------------------------------------------------------------
    def record_growth(self, n, output=False):
        if output:
            self.output_grown += int(n)
        else:
            self.grown += int(n)
            self.total_grown += int(n)

    def record_elimination(self, lifetimes, output=False):
        """Count eliminated synapses; ``lifetimes`` (presentations) of hidden ones feed the lifetime statistics."""
        lifetimes = np.asarray(lifetimes, dtype=np.float64)
        if output:
            self.output_eliminated += int(lifetimes.size)
            return
        self.eliminated += int(lifetimes.size)
        self.total_eliminated += int(lifetimes.size)
        if lifetimes.size:
            self.lifetime_sum += float(lifetimes.sum())
            self.lifetime_count += int(lifetimes.size)
            bins = np.clip(np.searchsorted(LIFETIME_EDGES, np.maximum(lifetimes, 1.0), side="right") - 1,
                           0, LIFETIME_EDGES.size - 1)
            self.lifetime_counts += np.bincount(bins, minlength=LIFETIME_EDGES.size)

    def take_counts(self):
        """Return and reset ``(grown, eliminated, output_grown, output_eliminated)`` since the last call."""
        counts = (self.grown, self.eliminated, self.output_grown, self.output_eliminated)
        self.grown = self.eliminated = self.output_grown = self.output_eliminated = 0
        return counts

    # -- curves ------------------------------------------------------------
    def start_epoch(self, presentations, hidden):
        """Remember who is present at the start of a pass (for its turnover)."""
        self.epoch_start = int(presentations)
        self.epoch_start_keys = synapse_keys(hidden)

    def end_epoch(self, epoch, phase, presentations, hidden):
        """Close a pass: its turnover, a survival point per reference, a weight snapshot; maybe a new reference."""
        record = {"epoch": int(epoch), "phase": phase, "presentations": int(presentations)}
        keys = synapse_keys(hidden)
        if self.epoch_start_keys is not None:
            record["turnover"] = 1.0 - _surviving(self.epoch_start_keys, keys)
        alive = hidden.birth >= 0
        record["synapses"] = int(keys.size)
        record["mean_lifetime"] = self.mean_lifetime()
        ages = presentations - hidden.birth[alive]
        record["mean_age"] = float(ages.mean()) if ages.size else None
        self.epochs.append(record)
        for t0, reference in zip(self.references, self.reference_keys):
            self.survival.append({"reference": int(t0), "presentations": int(presentations),
                                  "delta": int(presentations - t0), "surviving": _surviving(reference, keys)})
        self.snapshot_weights(epoch, presentations, hidden.weight[alive])
        if epoch in REFERENCE_EPOCHS:
            self.references.append(int(presentations))
            self.reference_keys.append(keys)
        return record

    def snapshot_weights(self, epoch, presentations, weights):
        w = np.asarray(weights, dtype=np.float64)
        w = w[w > 0]
        counts, _ = np.histogram(np.log10(w), bins=WEIGHT_LOG10_EDGES) if w.size else (
            np.zeros(WEIGHT_LOG10_EDGES.size - 1, dtype=np.int64), None)
        mu, sigma = lognormal_fit(w)
        self.weights.append({"epoch": int(epoch), "presentations": int(presentations),
                             "log10_edges": WEIGHT_LOG10_EDGES.tolist(), "counts": counts.astype(int).tolist(),
                             "lognormal_mu": mu, "lognormal_sigma": sigma,
                             "mean": float(w.mean()) if w.size else None})

    def mean_lifetime(self):
        """Mean completed lifetime in presentations, or None before any elimination."""
        return self.lifetime_sum / self.lifetime_count if self.lifetime_count else None

    def summary(self):
        """JSON-ready summary: totals, lifetimes, per-pass records, survival curves and weight snapshots."""
        return {
            "grown": self.total_grown, "eliminated": self.total_eliminated,
            "mean_lifetime": self.mean_lifetime(), "completed_lifetimes": self.lifetime_count,
            "lifetime_histogram": {"edges": LIFETIME_EDGES.tolist(), "counts": self.lifetime_counts.tolist()},
            "epochs": list(self.epochs), "survival": list(self.survival), "weights": list(self.weights),
        }

    # -- checkpoints -------------------------------------------------------
    def to_arrays(self):
        arrays = {"lifetime_counts": self.lifetime_counts}
        if self.epoch_start_keys is not None:
            arrays["epoch_start_keys"] = self.epoch_start_keys
        for k, keys in enumerate(self.reference_keys):
            arrays[f"reference_{k}"] = keys
        values = {name: getattr(self, name) for name in (
            "grown", "eliminated", "output_grown", "output_eliminated", "total_grown", "total_eliminated",
            "lifetime_sum", "lifetime_count", "references", "epoch_start", "survival", "epochs", "weights")}
        return arrays, values

    @classmethod
    def from_arrays(cls, arrays, values):
        census = cls(**{k: v for k, v in values.items()})
        census.lifetime_counts = np.array(arrays["lifetime_counts"], dtype=np.int64)
        census.epoch_start_keys = arrays.get("epoch_start_keys")
        census.reference_keys = [np.array(arrays[f"reference_{k}"]) for k in range(len(census.references))]
        return census
