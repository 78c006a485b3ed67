"""Process models (floating_pt and fixed_pt) for the processes in ``processes.py``."""

import numpy as np
from lava.magma.core.decorator import implements, requires, tag
from lava.magma.core.model.py.model import PyLoihiProcessModel
from lava.magma.core.model.py.ports import PyOutPort
from lava.magma.core.model.py.type import LavaPyType
from lava.magma.core.resources import CPU
from lava.magma.core.sync.protocols.loihi_protocol import LoihiProtocol
from lava.proc.lif.models import PyLifResetModelBitAcc, PyLifResetModelFloat
from lava.proc.sparse.models import PySparseModelBitAcc
from lava.proc.sparse.process import Sparse

# Absolute imports: Lava loads this file as a top-level module while searching for models.
from neuroplastic.hardware.count_packing import pack
from neuroplastic.hardware.lava_procs.processes import CountingLIF, RateEncoder


class _RateEncoderModel(PyLoihiProcessModel):
    def run_spk(self):
        steps, slot = self.proc_params["steps"], self.proc_params["slot"]
        step = self.time_step - 1
        image, within = divmod(step, slot)
        spikes = np.zeros(self.accumulator.shape, dtype=bool)
        if image < self.spike_counts.shape[1] and within < steps:
            if within == 0:
                self.accumulator[:] = steps // 2
            self.accumulator += self.spike_counts[:, image]
            spikes = self.accumulator >= steps
            self.accumulator[spikes] -= steps
        self.s_out.send(spikes.astype(self.s_out_dtype))


@implements(proc=RateEncoder, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyRateEncoderModelFloat(_RateEncoderModel):
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    spike_counts: np.ndarray = LavaPyType(np.ndarray, np.int32)
    accumulator: np.ndarray = LavaPyType(np.ndarray, np.int32)
    s_out_dtype = float


@implements(proc=RateEncoder, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyRateEncoderModelFixed(_RateEncoderModel):
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=1)
    spike_counts: np.ndarray = LavaPyType(np.ndarray, np.int32)
    accumulator: np.ndarray = LavaPyType(np.ndarray, np.int32)
    s_out_dtype = np.int32


class _CountingMixin:
    def _count(self, spikes):
        """Count the step's spikes into their image; return what each neuron sends (see ``graded``)."""
        interval = self.reset_interval
        shifted = self.time_step - 1 - self.proc_params["count_offset"]
        image, within = divmod(shifted, interval)
        fired = spikes.astype(bool)
        sent = spikes
        if shifted >= 0 and image < self.counts.shape[1]:
            self.counts[fired, image] += 1
            self.last_spike[fired, image] = within
            if self.proc_params["graded"]:  # the k-th spike of the image carries 2k - 1
                sent = np.where(fired, 2 * self.counts[:, image] - 1, 0).astype(self.s_out_dtype)
            if image == self.counts.shape[1] - 1 and within == interval - 1:  # the run's last counted step
                self.packed_counts[:] = pack(self.counts, self.proc_params["pack_bits"])
                self.packed_last[:] = pack(self.last_spike + 1, self.proc_params["pack_bits"])
        return sent

    def run_spk(self):
        a_in_data = self.a_in.recv()
        self._prepare()
        if (self.time_step % self.reset_interval) == self.reset_offset:
            self.u *= 0
            threshold = self._threshold()
            half = threshold // 2 if self.v.dtype.kind == "i" else threshold / 2
            self.v[:] = half - self.start_offset * threshold
        self.subthr_dynamics(activation_in=a_in_data)
        s_out = self.spiking_activation()
        self.v[s_out] -= self._threshold()
        self.s_out.send(self._count(s_out))


@implements(proc=CountingLIF, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyCountingLIFModelFloat(_CountingMixin, PyLifResetModelFloat):
    implements_process = None  # the parent model implements LIFReset; this one implements CountingLIF
    s_out_dtype = float
    start_offset: np.ndarray = LavaPyType(np.ndarray, np.int32)
    counts: np.ndarray = LavaPyType(np.ndarray, np.int32)
    last_spike: np.ndarray = LavaPyType(np.ndarray, np.int32)
    packed_counts: np.ndarray = LavaPyType(np.ndarray, np.int64)
    packed_last: np.ndarray = LavaPyType(np.ndarray, np.int64)

    def _prepare(self):
        pass

    def _threshold(self):
        return self.vth


@implements(proc=CountingLIF, protocol=LoihiProtocol)
@requires(CPU)
@tag("bit_accurate_loihi", "fixed_pt")
class PyCountingLIFModelBitAcc(_CountingMixin, PyLifResetModelBitAcc):
    implements_process = None  # the parent model implements LIFReset; this one implements CountingLIF
    s_out_dtype = np.int32  # the port's type: 24-bit payloads
    start_offset: np.ndarray = LavaPyType(np.ndarray, np.int32)
    counts: np.ndarray = LavaPyType(np.ndarray, np.int32)
    last_spike: np.ndarray = LavaPyType(np.ndarray, np.int32)
    packed_counts: np.ndarray = LavaPyType(np.ndarray, np.int64)
    packed_last: np.ndarray = LavaPyType(np.ndarray, np.int64)

    def _prepare(self):
        self.scale_bias()
        if not self.isthrscaled:
            self.scale_threshold()

    def _threshold(self):
        return self.effective_vth


@implements(proc=Sparse, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PySparseSpikeSumModel(PySparseModelBitAcc):
    """Lava's bit-accurate ``Sparse``, with binary spikes summed as one sparse product.

    For binary spikes (``num_message_bits == 0``) Lava's own model sums the
    columns of the inputs that spiked by slicing the weight matrix every
    step, which builds a new matrix each time: in a 12,000-unit network it
    is most of the run's time. The product of the weights with the 0/1
    spike vector is the same integer sum. The first step, which also clips
    and truncates the weights, and graded spikes are left to Lava's model.
    Chosen in place of it by :func:`~neuroplastic.hardware.lava_net.run_lava`
    (``exception_proc_model_map``).
    """

    implements_process = None  # the parent model implements Sparse under its own tags

    def run_spk(self):
        if not self.weights_set or self.num_message_bits.item() > 0:
            super().run_spk()
            return
        self.a_out.send(self.a_buff)  # as in Lava's model: what was accumulated at the previous step
        # In the weights' own type: scipy would otherwise convert the whole matrix at every step. The sum
        # cannot overflow (weights of at most 8 bits), and a shift then wraps as Lava's send to int32 does.
        # A graded neuron's payload counts as one spike here, as in Lava's model.
        total = self.weights.dot(self.s_in.recv().astype(bool).astype(self.weights.dtype))
        self.a_buff = np.left_shift(total, self.weight_exp) if self.weight_exp > 0 else np.right_shift(
            total, -self.weight_exp)
