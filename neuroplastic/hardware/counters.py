"""Counter neurons: facilitating synapses on hardware whose spikes are binary.

A squared activation needs the square of a hidden unit's spike count ``n``
in an image: its synapses onto the output layer *facilitate*, the k-th spike
adding ``w (k - 1/2)`` (see :mod:`.rate_code`). Loihi 2 sends that factor as
a graded spike. Loihi 1 and TrueNorth send binary spikes, so a synapse there
adds the same ``w`` at every spike; the growing factor has to come from more
neurons instead.

Each facilitating source (a hidden unit with output synapses, or the relay)
gets a column of ``K`` *counter* neurons, ranks ``j = 1 .. K``. Counter ``j``
is an integrate-and-fire neuron with threshold one weight step, reset by
subtraction, one synapse of one weight step from its source, and it starts
every image at ``1/2 - (j - 1)`` weight steps. It is silent until its
source's ``j``-th spike of the image, then fires with every spike of the
source: over the image it fires ``max(0, n - j + 1)`` times. The counters'
synapses onto the outputs are plain: rank 1 carries ``w / 2`` (plus the
source's own linear weight, for the relay), every higher rank ``w``. At the
source's k-th spike the counters of rank 1 to ``k`` fire together and add
``w / 2 + (k - 1) w = w (k - 1/2)``, the facilitated amount, in the same
step; over the image, ``w n^2 / 2``.

A column covers counts up to ``K``; beyond it the square continues as a
straight line (``K`` counters fire at each later spike). ``K`` is set when
the plan is built, from the largest count of the calibration images with a
margin (:func:`count_cap`). The cost is ``K`` neurons per source, updated at
every step, and about ``n^2 / 2`` spikes per source and image, where graded
spikes need neither.
"""

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

__all__ = ["CAP_MARGIN", "SPIKING", "Counters", "count_cap", "counters_of", "layer_spikes"]

#: The layers whose spikes a run of a plan counts (the simulator, Lava, SANA-FE); counters apart.
SPIKING = ("input", "hidden", "inhibition", "relay", "output")

#: Counters per source, as a multiple of the largest spike count of the calibration images.
CAP_MARGIN = 1.25


def count_cap(calibration_counts, slot):
    """Counters per source: ``CAP_MARGIN`` times the largest count in ``calibration_counts``, at most ``slot``
    (a neuron fires at most once per step), at least 1."""
    largest = float(np.max(calibration_counts)) if np.size(calibration_counts) else 0.0
    return int(min(slot, max(1, np.ceil(CAP_MARGIN * largest))))


@dataclass
class Counters:
    """The counter neurons of a facilitating plan (see module doc).

    Attributes
    ----------
    source : numpy.ndarray of int
        Per counter, its source: hidden units ``0 .. n_hidden - 1``, then the
        relays.
    rank : numpy.ndarray of int
        Per counter, its rank ``j`` (1 = fires with every spike of the source).
    to_output : scipy.sparse.csr_matrix, shape (n_classes, n_counters)
        Synapses onto the outputs, in weight steps (a_in units; halves on rank 1).
    n_hidden, n_relay : int
        Sources before and after the hidden/relay boundary.
    """

    source: np.ndarray
    rank: np.ndarray
    to_output: sp.csr_matrix
    n_hidden: int
    n_relay: int

    @property
    def size(self):
        return int(self.source.size)

    @property
    def fan_in(self):
        """One synapse of one weight step per counter, from its source: ``(n_counters, n_hidden + n_relay)``."""
        return sp.csr_matrix((np.ones(self.size), (np.arange(self.size), self.source)),
                             shape=(self.size, self.n_hidden + self.n_relay))

    def synapses_from(self, layer):
        """The counters' input synapses from ``"hidden"`` or ``"relay"``: the columns of :attr:`fan_in` that
        layer's neurons own, ``(n_counters, layer size)``."""
        columns = slice(0, self.n_hidden) if layer == "hidden" else slice(self.n_hidden, None)
        return self.fan_in.tocsc()[:, columns].tocsr()

    @property
    def sources(self):
        """Source layers and sizes, in the column order of :attr:`fan_in`."""
        return [("hidden", self.n_hidden)] + ([("relay", self.n_relay)] if self.n_relay else [])

    def start(self):
        """Potential at the start of an image, in weight steps: ``1/2 - (rank - 1)``."""
        return 0.5 - (self.rank - 1.0)

    def counts(self, hidden, relay=None):
        """Spike counts ``(n_counters, n_images)`` from the sources' counts: ``max(0, n - rank + 1)``."""
        parts = [np.asarray(hidden)] + ([np.asarray(relay)] if self.n_relay else [])
        n = np.vstack(parts)[self.source]
        return np.maximum(0, n - self.rank[:, None] + 1).astype(np.int64)


def counters_of(plan):
    """The :class:`Counters` that replace ``plan``'s facilitating synapses onto the outputs.

    The relay's linear synapse (and that of a relay that does not
    facilitate) moves onto its rank-1 counter, which fires with every relay
    spike, so that every input of the output layer comes through counters.
    """
    V = plan.output_weights.tocsc().astype(np.float64)
    columns, sources, ranks = [], [], []

    def add(index, linear, facilitated, cap):
        """Counters of one source: rank 1 carries ``linear + facilitated / 2``, the others ``facilitated``."""
        if not (np.any(linear) or np.any(facilitated)):
            return  # no synapse onto the outputs: nothing to count
        for rank in range(1, (cap if np.any(facilitated) else 1) + 1):
            columns.append(linear + facilitated / 2.0 if rank == 1 else facilitated)
            sources.append(index)
            ranks.append(rank)

    hidden_cap, relay_cap = plan.count_caps
    n_classes = plan.n_classes
    for h in range(plan.n_hidden):
        add(h, np.zeros(n_classes), V[:, h].toarray().ravel(), hidden_cap)
    if plan.has_relay:
        scale = 2.0**plan.relay_exp
        linear = plan.relay_to_output.toarray().astype(np.float64) * scale
        facilitated = np.zeros_like(linear)
        if plan.relay_facilitated is not None:
            facilitated[:, :1] = plan.relay_facilitated.toarray() * scale
        for r in range(plan.n_relay):
            add(plan.n_hidden + r, linear[:, r], facilitated[:, r], relay_cap)
    to_output = sp.csr_matrix(np.column_stack(columns) if columns else np.zeros((n_classes, 0)))
    to_output.eliminate_zeros()
    return Counters(source=np.asarray(sources, dtype=np.int64), rank=np.asarray(ranks, dtype=np.int64),
                    to_output=to_output, n_hidden=plan.n_hidden, n_relay=plan.n_relay)


def layer_spikes(plan, counts, binary=False, images=None):
    """The spike counts of :data:`SPIKING` in ``counts`` (first ``images`` images), and with ``binary`` the
    counters' too, derived from their sources' when ``counts`` has none (:meth:`Counters.counts` is what
    the counter neurons fire, :func:`~.rate_code.simulate` checks it)."""
    end = None if images is None else int(images)
    spikes = {name: np.asarray(counts[name])[:, :end] for name in SPIKING}
    if binary:
        spikes["counters"] = (np.asarray(counts["counters"])[:, :end] if "counters" in counts
                              else counters_of(plan).counts(spikes["hidden"], spikes["relay"]))
    return spikes
