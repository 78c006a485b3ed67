"""Build and run the Lava graph of a :class:`~.rate_code.SpikingPlan`.

Graph (each arrow is a ``Sparse`` connection, one step of delay)::

    RateEncoder --W--> hidden CountingLIF --V--> output CountingLIF
    RateEncoder --g--> interneuron CountingLIF --(-Q)--> hidden       (optional)
    RateEncoder --1--> relay CountingLIF --r--> output                (optional; a second
                                                                      relay has a bias)

A squared activation's facilitating synapses onto the output layer
(``plan.facilitates``, and the relay's second synapse) become graded
spikes, as on Loihi 2: the k-th spike of a hidden neuron in an image
carries ``2k - 1``, and its connection halves it (``weight_exp = -1``), so
it adds ``w (k - 1/2)`` as in the simulator; exact because the weights are
even. With ``binary=True`` (Loihi 1) they become counter neurons instead
(:mod:`.counters`), one layer deeper::

    hidden --1--> counters --(w/2 | w)--> output;  relay --1--> counters

What makes long Lava runs practical on a CPU (lava-nc 0.10.0):

- every image of a batch goes through one long run (the encoder holds
  per-image spike counts, not a RingBuffer of spikes), and neurons reset
  between images at offsets matching their depth;
- ``lanes`` copies of the graph run side by side on their own images
  (block-diagonal weights), for a fraction of the steps;
- fixed_pt ``Sparse`` connections sum binary spikes as one sparse product
  (:class:`~.lava_procs.models.PySparseSpikeSumModel`);
- spikes are counted inside the network and read once, packed several to a
  message (:mod:`.count_packing`);
- the run is stopped in a ``finally``.

This module only builds and runs.
"""

import multiprocessing
import sys
import time

import numpy as np
import scipy.sparse as sp

from ..errors import HardwareError
from ..optional import require
from .count_packing import unpack
from .counters import counters_of
from .rate_code import encode_inputs

__all__ = ["check_facilitation", "check_lanes", "counter_synapses", "import_lava", "payload_bits", "run_lava", "LANES",
           "TAGS"]

TAGS = ("fixed_pt", "floating_pt")

#: Copies of the network a Lava run holds side by side by default (see :func:`run_lava`).
LANES = 25

#: The Lava module that calls ``multiprocessing.set_start_method("fork")`` when imported.
LAVA_MP_MODULE = "lava.magma.runtime.message_infrastructure.multiprocessing"


def import_lava():
    """Import Lava's runtime whatever this process did with multiprocessing before.

    Lava sets the start method ``"fork"`` when its runtime is imported, and
    Python refuses that once anything has fixed the default context (a tqdm
    progress bar does, through its multiprocessing lock). ``"fork"`` is also
    the default on Linux, so a context already fixed to ``"fork"`` is
    released for Lava to fix again, to the same method; objects made under it
    stay valid.

    Raises
    ------
    HardwareError
        If the process already uses another start method, which Lava cannot run under.
    """
    if LAVA_MP_MODULE in sys.modules:
        return
    method = multiprocessing.get_start_method(allow_none=True)
    if method not in (None, "fork"):
        raise HardwareError(f"Lava needs the 'fork' multiprocessing start method; this process already uses {method!r}")
    if method == "fork":
        multiprocessing.set_start_method(None, force=True)
    try:
        __import__(LAVA_MP_MODULE)
    finally:
        if multiprocessing.get_start_method(allow_none=True) is None:
            multiprocessing.set_start_method(method or "fork")


def _neurons(plan, *, size, layer, lanes, vth, depth, n_images, fixed, graded=False, start_offset=None):
    """``size`` counting neurons; they take the bias of the plan's ``layer`` in each of the ``lanes`` copies
    (``layer=None``: no bias)."""
    from .lava_procs.processes import CountingLIF

    if fixed:
        mant, exponent = ((np.tile(part, lanes) for part in plan.bias_fixed(layer)) if layer is not None
                          else (np.zeros(size, np.int32), np.zeros(size, np.int32)))
        params = dict(du=4095, dv=0, bias_mant=mant, bias_exp=exponent, vth=int(vth))
    else:
        bias = np.tile(plan.bias(layer), lanes) if layer is not None else np.zeros(size)
        params = dict(du=1.0, dv=0.0, bias_mant=np.asarray(bias, dtype=float), bias_exp=0, vth=float(vth))
    return CountingLIF(shape=(size,), reset_interval=plan.slot, reset_offset=(depth + 1) % plan.slot,
                       n_images=n_images, count_offset=depth, graded=graded, start_offset=start_offset, **params)


def _sparse(weights, fixed, weight_exp=0, bits=8, message_bits=0):
    """A ``Sparse`` connection; ``message_bits > 0`` reads graded spikes (payload times weight)."""
    from lava.proc.sparse.process import Sparse

    if fixed:
        return Sparse(weights=weights.astype(np.int32).tocsr(), weight_exp=int(weight_exp), num_weight_bits=int(bits),
                      num_message_bits=int(message_bits))
    return Sparse(weights=(weights.astype(np.float64) * 2.0**weight_exp).tocsr(), num_message_bits=int(message_bits))


def payload_bits(plan):
    """Bits of the largest graded spike, ``2k - 1`` for the ``k``-th spike of an image (at most one per step)."""
    return int(2 * plan.slot - 1).bit_length()


def check_facilitation(plan):
    """Raise a HardwareError unless every facilitating synapse of ``plan`` has an even weight.

    A graded spike's ``2k - 1`` times an even weight, halved, is the exact
    ``w (k - 1/2)`` of the simulator; an odd weight would lose the half.
    """
    for name, weights in (("hidden->output", plan.output_weights if plan.facilitates else None),
                          ("relay->output (facilitating)", plan.relay_facilitated)):
        if weights is not None and np.any(weights.data % 2):
            raise HardwareError(f"{name} weights must be even for exact facilitation by graded spikes")


def counter_synapses(plan, counters):
    """``[(weights, weight_exp)]``: the connections from the counters to the outputs, in Lava's fixed point.

    Signed weights are even 8-bit mantissas, so ``w / 2`` (rank 1) and ``w``
    (higher ranks) get exponents of their own, as do the relay's linear and
    facilitated parts. ``sum(weights * 2**weight_exp)`` is ``counters.to_output``.
    """
    n_h, size = plan.n_hidden, counters.size
    hidden, first = counters.source < n_h, counters.rank == 1

    def part(mask, source_weights, column_of):
        values = np.zeros((plan.n_classes, size), dtype=np.int64)
        values[:, mask] = source_weights[:, column_of[mask]]
        return sp.csr_matrix(values.astype(np.int32))

    V = plan.output_weights.toarray()
    parts = [(part(hidden & first, V, counters.source), -1), (part(hidden & ~first, V, counters.source), 0)]
    if plan.has_relay:
        relay = counters.source - n_h
        parts.append((part(~hidden & first, plan.relay_to_output.toarray(), relay), plan.relay_exp))
        if plan.relay_facilitated is not None:  # the first relay's: one column
            facilitated = ~hidden & (relay == 0)
            fac = plan.relay_facilitated.toarray()
            parts += [(part(facilitated & first, fac, np.zeros_like(relay)), plan.relay_exp - 1),
                      (part(facilitated & ~first, fac, np.zeros_like(relay)), plan.relay_exp)]
    return [(weights, exp) for weights, exp in parts if weights.nnz]


def check_lanes(lanes, name="lanes"):
    """Raise a HardwareError naming the setting (``name``) unless ``lanes`` is a whole number, 1 or more."""
    if int(lanes) != lanes or lanes < 1:
        raise HardwareError(f"{name} must be a whole number, 1 or more, got {lanes!r}")


def _run_config(tag):
    """Lava's CPU simulation with ``tag``'s models; fixed_pt sums binary spikes with one product
    (:class:`~.lava_procs.models.PySparseSpikeSumModel`)."""
    from lava.magma.core.run_configs import Loihi2SimCfg
    from lava.proc.sparse.process import Sparse

    from .lava_procs.models import PySparseSpikeSumModel

    exceptions = {Sparse: PySparseSpikeSumModel} if tag == "fixed_pt" else {}
    return Loihi2SimCfg(select_tag=tag, exception_proc_model_map=exceptions)


def _read(neurons, packed):
    """A packed Var of a :class:`~.lava_procs.processes.CountingLIF`, unpacked to ``(neurons, images)``."""
    return unpack(packed.get(), neurons.proc_params["pack_bits"], neurons.counts.shape)


def _lanes_of(counts, lanes):
    """``(n, lanes * k)`` counts, image-major in each lane, from the network's ``(lanes * n, k)`` counts."""
    return np.concatenate(np.split(counts, lanes, axis=0), axis=1)


def _run_batch(plan, X, tag, lanes=1, binary=False):
    """One Lava run over the images ``X``, ``lanes`` copies of the network side by side.

    Copy ``l`` sees images ``l * k`` to ``(l + 1) * k - 1`` (``k`` = images
    per lane, the last lane padded with blank images), so the run takes
    ``k`` image slots instead of ``len(X)``. The copies share no synapse:
    every weight matrix is block-diagonal, and the counts are the ones each
    image would get alone. With ``binary``, a facilitating plan runs its
    counter neurons (see the module doc).
    """
    from lava.magma.core.run_conditions import RunSteps

    from .lava_procs.processes import RateEncoder

    fixed = tag == "fixed_pt"
    n_images = len(X)
    per_lane = -(-n_images // lanes)
    padded = np.zeros((per_lane * lanes, X.shape[1]), dtype=X.dtype)
    padded[:n_images] = X
    encoded = encode_inputs(padded, plan.steps)  # (n_inputs, lanes * per_lane)
    inputs = np.concatenate(np.split(encoded, lanes, axis=1), axis=0)  # (lanes * n_inputs, per_lane)

    def copies(matrix):
        return sp.block_diag([matrix] * lanes, format="csr")

    counters = counters_of(plan) if binary and plan.facilitates else None
    graded = plan.facilitates and counters is None
    output_depth = 2 if counters is None else 3
    bits = plan.notes.get("lava_weight_bits", 8)
    encoder = RateEncoder(spike_counts=inputs, steps=plan.steps, slot=plan.slot)
    message_bits = payload_bits(plan)
    hidden = _neurons(plan, size=lanes * plan.n_hidden, layer="hidden", lanes=lanes, vth=plan.hidden_vth, depth=1,
                      n_images=per_lane, fixed=fixed, graded=graded)
    output = _neurons(plan, size=lanes * plan.n_classes, layer="output", lanes=lanes, vth=plan.output_vth,
                      depth=output_depth, n_images=per_lane, fixed=fixed)
    to_hidden = _sparse(copies(plan.hidden_weights), fixed, bits=bits)
    encoder.s_out.connect(to_hidden.s_in)
    to_hidden.a_out.connect(hidden.a_in)
    counting = None
    if counters is not None:  # hidden (and relay) -> counters -> output, every synapse plain
        counting = _neurons(plan, size=lanes * counters.size, layer=None, lanes=lanes, vth=1, depth=2,
                            n_images=per_lane, fixed=fixed, start_offset=np.tile(counters.rank - 1, lanes))
        into = _sparse(copies(counters.synapses_from("hidden")), fixed, bits=8)
        hidden.s_out.connect(into.s_in)
        into.a_out.connect(counting.a_in)
        for weights, exp in counter_synapses(plan, counters):
            out_of = _sparse(copies(weights), fixed, weight_exp=exp, bits=8)
            counting.s_out.connect(out_of.s_in)
            out_of.a_out.connect(output.a_in)
    else:
        # halved weights (plan.output_exp = -1) go to Lava as even mantissas with weight_exp -1
        to_output = _sparse(copies(plan.output_weights * 2**-plan.output_exp), fixed,
                            weight_exp=-1 if graded else plan.output_exp, bits=bits,
                            message_bits=message_bits if graded else 0)
        hidden.s_out.connect(to_output.s_in)
        to_output.a_out.connect(output.a_in)
    inter = relay = None
    if plan.has_inhibition:
        back = sp.csr_matrix(np.full((plan.n_hidden, 1), -plan.inhibition_strength, dtype=np.int32))
        inter = _side_neuron(plan, encoder, hidden, copies(plan.inhibition_weights), plan.inhibition_vth,
                             copies(back), plan.inhibition_exp, n_images=per_lane, lanes=lanes, fixed=fixed)
    if plan.has_relay and counting is not None:
        relay = _side_neuron(plan, encoder, counting, copies(plan.relay_weights), plan.relay_vth,
                             copies(counters.synapses_from("relay")), 0, n_images=per_lane,
                             lanes=lanes, fixed=fixed, layer="relay")
    elif plan.has_relay:
        relay = _side_neuron(plan, encoder, output, copies(plan.relay_weights), plan.relay_vth,
                             copies(plan.relay_to_output), plan.relay_exp, n_images=per_lane, lanes=lanes,
                             fixed=fixed, graded=plan.relay_facilitated is not None, layer="relay")
        if plan.relay_facilitated is not None:  # the relay's second, facilitating synapse reads its payload
            facilitating = _sparse(copies(plan.relay_facilitated), fixed, weight_exp=plan.relay_exp - 1, bits=8,
                                   message_bits=message_bits)
            relay.s_out.connect(facilitating.s_in)
            facilitating.a_out.connect(output.a_in)
    try:
        output.run(condition=RunSteps(num_steps=per_lane * plan.slot + output_depth), run_cfg=_run_config(tag))
        counted = {
            "hidden": _read(hidden, hidden.packed_counts),
            "output": _read(output, output.packed_counts),
            "output_last": _read(output, output.packed_last) - 1,
            "inhibition": _read(inter, inter.packed_counts) if inter is not None else np.zeros((0, per_lane)),
            "relay": _read(relay, relay.packed_counts) if relay is not None else np.zeros((0, per_lane)),
        }
        if counting is not None:
            counted["counters"] = _read(counting, counting.packed_counts)
    finally:
        output.stop()
    result = {key: _lanes_of(np.asarray(value, dtype=np.int64), lanes)[:, :n_images]
              for key, value in counted.items()}
    result["input"] = encoded[:, :n_images].astype(np.int64)  # the blank padding images come last
    return result


def _side_neuron(plan, encoder, target, in_weights, vth, out_weights, out_exp, *, n_images, lanes, fixed,
                 graded=False, layer=None):
    """Counting neurons fed by the encoder that project onto ``target``, as many per lane as ``in_weights`` has
    rows per lane: the population-mean inhibition interneuron, or the relays (input count and hinge), which
    take the bias of the plan's ``layer`` (``None``: no bias)."""
    neuron = _neurons(plan, size=in_weights.shape[0], layer=layer, lanes=lanes, vth=vth, depth=1,
                      n_images=n_images, fixed=fixed, graded=graded)
    into = _sparse(in_weights, fixed, bits=8)
    out_of = _sparse(out_weights, fixed, weight_exp=out_exp, bits=8)
    encoder.s_out.connect(into.s_in)
    into.a_out.connect(neuron.a_in)
    neuron.s_out.connect(out_of.s_in)
    out_of.a_out.connect(target.a_in)
    return neuron


def run_lava(plan, X, *, tag="fixed_pt", batch_size=500, lanes=LANES, progress=None, binary=False):
    """Run the plan in Lava on images ``X``, one long run per batch.

    Parameters
    ----------
    plan : SpikingPlan
    X : numpy.ndarray, shape (n_images, n_inputs)
    tag : {"fixed_pt", "floating_pt"}
        Lava process-model tag: bit-accurate integers or floating point.
    batch_size : int
        Images per Lava run (one compile per batch).
    lanes : int
        Copies of the network run side by side, each on its own share of a
        batch, as several copies would share a chip, in ``1 / lanes`` of
        the steps. A step of a small network is mostly messages between
        Lava's processes, so the run takes about that much less time; a
        large network's arithmetic grows with the copies. The copies share
        nothing, and the spike counts are those of ``lanes=1``.
    progress : callable, optional
        Called with 0 before the first batch, then with the number of images
        finished after each batch.
    binary : bool
        Binary spikes only (Loihi 1): a facilitating plan runs counter
        neurons (:mod:`.counters`) instead of graded spikes.

    Returns
    -------
    dict
        Spike counts ``input``, ``hidden``, ``inhibition``, ``relay``, ``output`` (and with counter
        neurons, ``counters``) of shape ``(n_neurons, n_images)``, ``output_last``, and ``wall_time_s``.
    """
    if tag not in TAGS:
        raise HardwareError(f"Lava tag must be one of {TAGS}, got {tag!r}")
    check_lanes(lanes)
    lanes = int(lanes)
    check_facilitation(plan)  # a property of the plan: said before Lava is looked for
    require("lava", "the Lava simulation of the hardware mapping")
    X = np.asarray(X)
    if X.ndim != 2 or X.shape[1] != plan.n_inputs:
        raise HardwareError(f"inputs must have shape (n, {plan.n_inputs}), got {X.shape}")
    start = time.perf_counter()
    if progress is not None:
        progress(0)  # may create a progress bar, and so fix the multiprocessing start method, before Lava loads
    import_lava()
    parts = []
    for first in range(0, len(X), max(1, int(batch_size))):
        batch = X[first:first + batch_size]
        parts.append(_run_batch(plan, batch, tag, lanes=min(lanes, len(batch)), binary=binary))
        if progress is not None:
            progress(min(first + batch_size, len(X)))
    merged = {key: np.concatenate([p[key] for p in parts], axis=1) for key in parts[0]}
    merged["wall_time_s"] = time.perf_counter() - start
    return merged
