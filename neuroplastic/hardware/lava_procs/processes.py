"""Process declarations: ports and variables only (models in ``models.py``)."""

import numpy as np
from lava.magma.core.process.process import AbstractProcess
from lava.magma.core.process.ports.ports import OutPort
from lava.magma.core.process.variable import Var
from lava.proc.lif.process import LIFReset

# Absolute import: Lava loads this file as a top-level module while searching for models.
from neuroplastic.hardware.count_packing import bits_for, packed_size

__all__ = ["RateEncoder", "CountingLIF"]


class RateEncoder(AbstractProcess):
    """Integrate-and-fire spike encoder for a batch of images shown in turn.

    Image ``k`` is shown during global steps ``[k * slot, k * slot + steps)``
    (global step = Lava ``time_step - 1``). Input ``i`` of image ``k`` emits
    exactly ``spike_counts[i, k]`` spikes, evenly spaced: an integer phase
    accumulator starts at ``steps // 2`` and adds ``spike_counts[i, k]``
    every step; a spike is sent and ``steps`` subtracted whenever it reaches
    ``steps``.

    Parameters
    ----------
    spike_counts : numpy.ndarray of int, shape (n_inputs, n_images)
        Spikes per input per image, each in ``[0, steps]``.
    steps : int
        Steps during which each image is shown.
    slot : int
        Steps per image, ``>= steps`` (the rest is silence).
    """

    def __init__(self, *, spike_counts, steps, slot, name=None):
        spike_counts = np.asarray(spike_counts, dtype=np.int32)
        super().__init__(steps=int(steps), slot=int(slot), name=name)
        n_inputs = spike_counts.shape[0]
        self.s_out = OutPort(shape=(n_inputs,))
        self.spike_counts = Var(shape=spike_counts.shape, init=spike_counts)
        self.accumulator = Var(shape=(n_inputs,), init=np.zeros(n_inputs, dtype=np.int32))


class CountingLIF(LIFReset):
    """LIF neurons with reset by subtraction, per-image state reset, and spike counts.

    The membrane follows Lava's LIF (``u`` and ``v`` with decays ``du``,
    ``dv``, bias ``bias_mant * 2**bias_exp``); on a spike ``v`` drops by the
    threshold instead of to zero, so no charge is lost and the spike count
    over an image is an unbiased rate code. Every ``reset_interval`` steps
    at ``reset_offset``, which starts each image afresh, ``u`` is zeroed and
    ``v`` set to half the threshold, so that the count over an image is the
    drive divided by the threshold rounded to the nearest integer rather
    than rounded down. Spikes are added into ``counts[:, k]`` for image
    ``k = (time_step - 1 - count_offset) // reset_interval``, and
    ``last_spike[:, k]`` keeps the step (within the image) of the latest
    spike. At the last step of the last image, both are also packed into
    ``packed_counts`` and ``packed_last`` (``last_spike + 1``; see
    :mod:`~neuroplastic.hardware.count_packing`, with
    ``proc_params["pack_bits"]`` bits per value), which are much faster to
    read than the arrays themselves: Lava sends an array one element per
    message. Read once at the end of a run.

    ``start_offset`` (one integer per neuron, default 0) lowers that
    starting potential by whole thresholds: a neuron with offset ``j - 1``
    and inputs of one threshold is silent until the ``j``-th input of the
    image, then fires with every input -- the counter neurons of
    :mod:`~neuroplastic.hardware.counters`.

    With ``graded=True`` a spike carries a payload (a Loihi 2 graded
    spike): ``2k - 1`` for the neuron's ``k``-th spike of the image. A
    ``Sparse`` connection reading payloads (``num_message_bits > 0``) with
    weight ``w`` and ``weight_exp = -1`` then adds ``w (k - 1/2)``, exactly
    for even ``w``: the facilitating synapse of
    :mod:`~neuroplastic.hardware.rate_code`, whose ``n`` spikes add
    ``w n^2 / 2``. A connection reading binary spikes sees a 1.

    Parameters
    ----------
    n_images : int
        Images in the run (columns of ``counts``).
    count_offset : int
        Global step at which image 0's window starts for this layer (its
        depth in the network; each connection delays by one step).
    graded : bool
        Send ``2k - 1`` with the ``k``-th spike of an image instead of 1.
    start_offset : numpy.ndarray of int, optional
        Per neuron, whole thresholds below half the threshold at which it
        starts every image.
    **lif_params
        ``shape``, ``du``, ``dv``, ``bias_mant``, ``bias_exp``, ``vth``,
        ``reset_interval``, ``reset_offset`` as for ``LIFReset``.

    Notes
    -----
    Reset by subtraction is not the Loihi 1 compartment behaviour (reset to
    zero); Loihi 2 neurons are microcoded and can implement it.
    """

    def __init__(self, *, n_images, count_offset, graded=False, start_offset=None, **lif_params):
        super().__init__(**lif_params)
        self.proc_params["count_offset"] = int(count_offset)
        self.proc_params["graded"] = bool(graded)
        shape = lif_params["shape"]
        offset = np.zeros(shape[0], dtype=np.int32) if start_offset is None else np.asarray(start_offset, np.int32)
        self.start_offset = Var(shape=(shape[0],), init=offset)
        self.counts = Var(shape=(shape[0], int(n_images)), init=np.zeros((shape[0], int(n_images)), dtype=np.int32))
        self.last_spike = Var(shape=(shape[0], int(n_images)),
                              init=np.full((shape[0], int(n_images)), -1, dtype=np.int32))
        # Both again, packed at the end of the run (last_spike + 1, so that no value is negative).
        bits = bits_for(lif_params["reset_interval"])
        self.proc_params["pack_bits"] = bits
        words = packed_size(shape[0] * int(n_images), bits)
        self.packed_counts = Var(shape=(words,), init=np.zeros(words, dtype=np.int64))
        self.packed_last = Var(shape=(words,), init=np.zeros(words, dtype=np.int64))
