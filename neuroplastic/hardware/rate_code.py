"""Integer rate-coded spiking network: quantisation plan and a NumPy reference simulator.

A :class:`SpikingPlan` holds everything the Lava build needs, in Lava's
"a_in" units (one unit = one synaptic weight step reaching a neuron):

- inputs: pixel ``x`` in [0, 1] becomes ``round(steps * x)`` evenly spaced
  spikes (integrate-and-fire encoding, see ``RateEncoder``);
- hidden layer: non-leaky LIF neurons (``du = 1``: the current holds one
  step's input; ``dv = 0``: no voltage leak), reset by subtraction, bias
  spread over the image's slot; the optional inhibitory interneuron
  realises ``- g . x`` (see :mod:`.linear_form`);
- output layer: the same neurons with signed weights and a per-class bias
  shifted by a common constant (argmax is shift-invariant), so the winning
  class fires; when the mapping asks for a per-image bias gain, a relay
  neuron counts input spikes and adds ``bias * beta * sum x`` to the outputs;
- weights quantised to the profile's bits as Lava's fixed_pt expects
  (unsigned 0..255, or even values in -254..254 for mixed signs).

Spike counts over an image then approximate ``steps * drive / threshold``:
the hidden count is a rate code of the activation, and the output count of
the class potential.

A squared activation (the triangle with power 2, built only when the caller
asks for ``squares``) needs the square of a hidden count ``n``. Integrate-
and-fire neurons do not square, so its synapses onto the output layer
*facilitate*: the k-th spike of a hidden unit in an image adds
``w * (k - 1/2)``, and its ``n`` spikes add ``w * n^2 / 2`` in all --
short-term facilitation that grows by one step per spike and resets at
every image. The relay's second synapse onto the outputs facilitates in the
same way, for the square of the per-image gain. Neurons with graded spikes
(Loihi 2) realise it by sending ``2k - 1`` with the k-th spike, and the Lava
build does so (:mod:`.lava_net`); on hardware with binary spikes only
(Loihi 1, TrueNorth), SANA-FE and NIR, counter neurons do
(:mod:`.counters`; ``count_caps`` sizes them). The simulator here runs the
same integer dynamics in NumPy for all images at once, either way; it is
the independent reference for the Lava run and prices networks too large to
run in Lava quickly.
"""

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from ..errors import HardwareError
from ..network import LayerSizes
from .counters import count_cap, counters_of
from .linear_form import linear_form

__all__ = ["SpikingPlan", "build_plan", "check_rates", "encode_inputs", "encoder_spikes", "simulate",
           "classify_counts"]

LAVA_MAX_WEIGHT_BITS = 8
MAX_VTH = 131071  # 17-bit threshold mantissa
MAX_BIAS_MANT = 4095
V_SHIFT = 64  # Loihi left-shifts synaptic input and threshold by 6 bits
UV_LIMIT = 2**23  # Lava's fixed_pt LIF holds current and potential in 24 bits
# Headroom of the output layer's common shift, as a fraction of the calibration
# range of the top class potential. Images whose every class potential ends
# below zero are decided by transient spikes; 0.02 left 4 of 1,000 test images
# of the `mnist` network so, 0.1 none (see docs/results_hardware.md).
OUTPUT_MARGIN = 0.1


def quantise_weights(matrix, bits, even=False, halve=False):
    """Quantise a sparse matrix to Lava fixed_pt integer weights.

    Weights of both signs come out even (Lava spends a bit on the sign and
    drops the lowest one); with ``even``, weights of one sign do too, at one
    bit less, so that half a weight is whole (facilitating synapses add
    ``w / 2``). With ``halve``, weights of both signs are returned halved,
    at the same precision: Lava then holds them as even mantissas with
    ``weight_exp = -1`` (see :attr:`SpikingPlan.output_exp`), and they send
    half the input per spike.

    Returns
    -------
    ints : scipy.sparse.csr_matrix of int32
        Values Lava keeps unchanged with ``num_weight_bits=bits``.
    scale : float
        a_in units per unit of the original weights.
    """
    matrix = sp.csr_matrix(matrix, dtype=np.float64)
    bits = int(min(bits, LAVA_MAX_WEIGHT_BITS))
    peak = float(np.abs(matrix.data).max()) if matrix.nnz else 0.0
    if peak == 0.0:
        return sp.csr_matrix(matrix.shape, dtype=np.int32), 1.0
    even = even or matrix.data.min() < 0
    levels = 2 ** (bits - 1) - 1 if even else 2**bits - 1
    step = 2 ** (LAVA_MAX_WEIGHT_BITS - bits + (1 if even else 0))
    if levels < 1:
        raise HardwareError(f"weight_bits={bits} leaves no level for signed (or halved) weights")
    if halve and even:
        step //= 2
    ints = matrix.copy()
    ints.data = np.round(ints.data * levels / peak) * step
    ints = ints.astype(np.int32)
    ints.eliminate_zeros()
    return ints, levels * step / peak


def _bias_fixed(bias_a_in):
    """Split a per-step bias (a_in units) into Loihi's mantissa and exponent."""
    scaled = np.round(np.asarray(bias_a_in, dtype=np.float64) * V_SHIFT)
    exponent = np.zeros(scaled.shape, dtype=np.int32)
    big = np.abs(scaled) > MAX_BIAS_MANT
    exponent[big] = np.ceil(np.log2(np.abs(scaled[big]) / MAX_BIAS_MANT)).astype(np.int32)
    if exponent.size and exponent.max() > 7:
        raise HardwareError(f"neuron bias {np.abs(bias_a_in).max():.4g} per step exceeds the 13-bit "
                            "mantissa with exponent 7; use more time steps")
    mant = np.round(scaled / 2.0**exponent).astype(np.int32)
    return mant, exponent


@dataclass
class SpikingPlan(LayerSizes):
    """A quantised, rate-coded version of a trained network (see module doc)."""

    steps: int
    slot: int
    hidden_weights: sp.csr_matrix
    hidden_bias: np.ndarray
    hidden_vth: int
    output_weights: sp.csr_matrix
    output_bias: np.ndarray
    output_vth: int
    classes: np.ndarray
    weight_bits: int
    inhibition_weights: sp.csr_matrix | None = None
    inhibition_vth: int = 0
    inhibition_strength: int = 0
    inhibition_exp: int = 0
    relay_weights: sp.csr_matrix | None = None
    relay_vth: int = 0
    relay_bias: np.ndarray | None = None
    relay_to_output: sp.csr_matrix | None = None
    relay_exp: int = 0
    relay_facilitated: sp.csr_matrix | None = None
    hidden_power: int = 1
    count_caps: tuple = (0, 0)
    output_exp: int = 0  # -1: output_weights are halved signed weights, sent to Lava as mantissas 2w, exponent -1
    notes: dict = field(default_factory=dict)

    @property
    def facilitates(self):
        """Whether the synapses onto the output layer facilitate (a squared activation)."""
        return self.hidden_power == 2

    @property
    def has_inhibition(self):
        return self.inhibition_weights is not None

    def bias(self, layer):
        """Per-step bias of ``"hidden"``, ``"output"`` or ``"relay"`` neurons, in a_in units (floating point)."""
        return {"hidden": self.hidden_bias, "output": self.output_bias, "relay": self.relay_bias}[layer]

    def bias_fixed(self, layer):
        """``(bias_mant, bias_exp)`` of ``"hidden"``, ``"output"`` or ``"relay"`` for fixed_pt."""
        return _bias_fixed(self.bias(layer))

    def bias_potential(self, layer):
        """Bias of ``"hidden"``, ``"output"`` or ``"relay"`` added to the potential every step, as fixed_pt
        applies it (``bias_mant << bias_exp``, int64; one weight step is 64 of these units)."""
        mant, exponent = self.bias_fixed(layer)
        return np.left_shift(mant.astype(np.int64), exponent.astype(np.int64))

    @property
    def inhibition_quantum(self):
        """What one interneuron spike subtracts from every hidden unit, in weight steps (a_in units)."""
        return self.inhibition_strength * 2**self.inhibition_exp

    @property
    def has_relay(self):
        return self.relay_weights is not None

    @property
    def n_relay(self):
        """Relay neurons: 0, 1 (input count), or 2 (and the count above the knot, see :mod:`.linear_form`)."""
        return self.relay_weights.shape[0] if self.has_relay else 0


def encode_inputs(X, steps):
    """Spike counts per input, ``round(steps * x)``, shape ``(n_inputs, n_images)``.

    Raises
    ------
    HardwareError
        If an input lies outside [0, 1].
    """
    X = np.asarray(X, dtype=np.float64)
    if X.size and (X.min() < 0 or X.max() > 1):
        raise HardwareError(f"rate coding needs inputs in [0, 1], got [{X.min():.3g}, {X.max():.3g}]")
    return np.round(X * steps).astype(np.int32).T.copy()


def encoder_spikes(X, steps, slot):
    """Input spikes step by step: ``slot`` arrays of shape ``(n_images, n_inputs)``, 0 or 1.

    Each input emits ``round(steps * x)`` evenly spaced spikes over the
    first ``steps`` steps (a phase accumulator starting at ``steps // 2``),
    then is silent until the slot ends.
    """
    counts = encode_inputs(X, steps)
    phase = np.full(counts.shape, steps // 2, dtype=np.int64)
    for tau in range(slot):
        if tau < steps:
            phase += counts
            spikes = phase >= steps
            phase[spikes] -= steps
        else:
            spikes = np.zeros(phase.shape, dtype=bool)
        yield spikes.T


def check_rates(hidden_rate, inhibition_rate, names=("hidden_rate", "inhibition_rate")):
    """Raise a HardwareError naming the setting (``names``) unless both spike rates lie in (0, 1]."""
    for name, rate in zip(names, (hidden_rate, inhibition_rate)):
        if not 0 < rate <= 1:
            raise HardwareError(f"{name} must lie in (0, 1] spikes per step, got {rate:g}")


def build_plan(network, calibration_inputs, *, steps=128, pad=3, weight_bits=8, quantile=0.999, hidden_rate=1.0,
               inhibition_rate=1.0, squares=False):
    """Quantise ``network`` into a :class:`SpikingPlan`.

    Parameters
    ----------
    network : neuroplastic.network.TrainedNetwork
    calibration_inputs : numpy.ndarray, shape (n, n_inputs)
        Images used to choose thresholds (no labels are used).
    steps : int
        Time steps each image is shown.
    pad : int
        Silent steps after each image, so that delayed spikes arrive before
        the next image.
    weight_bits : int
        Profile's weight precision (Lava keeps at most 8).
    quantile : float
        Drives above this quantile of the calibration drives saturate.
    hidden_rate : float
        Spikes per step of a hidden neuron at that quantile, in (0, 1]. Lower
        rates send fewer spikes (fewer synaptic operations downstream) and
        resolve the activation more coarsely: ``steps * hidden_rate`` levels.
    inhibition_rate : float
        The same for the inhibitory interneuron, whose every spike reaches
        all hidden neurons.
    squares : bool
        Map a squared activation with facilitating output synapses (see the
        module doc); otherwise such an activation is refused.

    Raises
    ------
    HardwareError
        If the activation cannot be mapped or a threshold exceeds Loihi's range.
    """
    if steps < 8 or pad < 2:
        raise HardwareError(f"need steps >= 8 and pad >= 2, got steps={steps}, pad={pad}")
    check_rates(hidden_rate, inhibition_rate)
    slot = steps + pad
    Xc = np.asarray(calibration_inputs, dtype=np.float64)
    Xq = encode_inputs(Xc, steps).T / steps
    form = linear_form(network, Xc, squares=squares)
    power = form.power
    w_int, s_w = quantise_weights(form.weights, weight_bits)
    notes = {"activation": network.activation, "mapping": form.note, "exact_mapping": form.exact,
             "lava_weight_bits": int(min(weight_bits, LAVA_MAX_WEIGHT_BITS)), "hidden_rate": float(hidden_rate),
             "inhibition_rate": float(inhibition_rate)}

    # Inhibitory interneuron: Q a_in units per spike = strength * 2**exp.
    inh = None
    inh_vth = inh_strength = inh_exp = 0
    inhibition_drive = np.zeros(len(Xq))
    if form.inhibition is not None and form.inhibition.max() > 0:
        g = form.inhibition
        needed = max(1.0, s_w * float(np.quantile(Xq @ g, quantile)) * 1.05 / inhibition_rate)
        inh_exp = max(0, int(np.ceil(np.log2(needed / 255.0))))
        inh_strength = int(np.ceil(needed / 2**inh_exp))
        quantum = inh_strength * 2**inh_exp
        inh_vth = int(np.floor(255.0 / g.max() * quantum / s_w))
        if not 1 <= inh_vth <= MAX_VTH:
            raise HardwareError(f"inhibitory threshold {inh_vth} outside Loihi's 17-bit range")
        s_g = s_w * inh_vth / quantum
        g_int = np.minimum(np.round(g * s_g), 255).astype(np.int32)
        inh = sp.csr_matrix(g_int[None, :])
        inh.eliminate_zeros()
        inhibition_drive = np.floor((Xq @ g_int) * steps / inh_vth + 0.5) * quantum / steps / s_w

    # Hidden layer: drive in a_in units per step, threshold for one spike per step at the quantile.
    w_float = w_int.astype(np.float64) / s_w
    drive = np.asarray(w_float @ Xq.T).T + form.bias - inhibition_drive[:, None]
    positive = drive[drive > 0]
    high = float(np.quantile(positive, quantile)) if positive.size else 1.0
    hidden_vth = int(np.ceil(s_w * high / hidden_rate))
    if not 1 <= hidden_vth <= MAX_VTH:
        raise HardwareError(f"hidden threshold {hidden_vth} outside Loihi's 17-bit range (0..{MAX_VTH})")
    hidden_bias = s_w * form.bias * steps / slot
    counts = np.floor(np.maximum(drive, 0) * s_w * steps / hidden_vth + 0.5)

    # Output layer: O_c = rho * (z_c + K); top class fires up to ~steps / power spikes.
    # With power 2 the output synapses facilitate: n hidden spikes add w n^2 / 2 (see module doc).
    # Signed readout weights are sent halved (Lava: even mantissas, weight_exp -1), at the same precision: the
    # burst of hidden spikes at an image's first step then stays inside Loihi's 16-bit neuron input.
    halve = power == 1 and np.asarray(sp.csr_matrix(network.output_weights).data).min(initial=0) < 0
    o_int, s_o = quantise_weights(network.output_weights, weight_bits, even=(power == 2), halve=halve)
    per_count = form.scale * hidden_vth / (s_w * steps)  # activation (before the power) per hidden spike
    rho = s_o / (per_count * (1.0 if power == 1 else 2.0 * per_count))
    bias = np.asarray(network.output_bias, dtype=np.float64)
    relay = relay_out = relay_fac = relay_bias = None
    relay_vth = relay_exp = 0
    gain_term = 0.0
    if form.bias_gain is not None and np.any(bias != 0):
        alpha, beta = form.bias_gain
        relay_vth = max(1, int(np.ceil(1.05 * np.quantile(Xq.sum(axis=1), quantile))))
        per_sum = relay_vth / steps  # sum of x per relay spike
        # (alpha + beta S)^power: the linear synapse carries the S term, the facilitating one S^2 (k - 1/2 each).
        columns = [rho * bias * beta * per_sum * (1.0 if power == 1 else 2.0 * alpha)]
        in_weights, relay_bias = [np.ones(Xq.shape[1])], [0.0]
        if form.hinge is not None:  # a second relay counts max(0, S - t): the same inputs, bias -t per step
            knot, gamma = form.hinge
            columns.append(rho * bias * gamma * per_sum)
            in_weights.append(np.ones(Xq.shape[1]))
            relay_bias.append(-knot)
        per_spike = np.column_stack(columns)
        facilitated = rho * bias * 2.0 * (beta * per_sum) ** 2 if power == 2 else np.zeros_like(bias)
        peak = max(np.abs(per_spike).max(), np.abs(facilitated).max(), 1e-12)
        relay_exp = max(0, int(np.ceil(np.log2(peak / 254.0))))
        def even_ints(values):
            values = np.asarray(values).reshape(len(bias), -1)
            ints = sp.csr_matrix((2 * np.round(values / 2.0**relay_exp / 2.0)).astype(np.int32))
            ints.eliminate_zeros()
            return ints
        relay = sp.csr_matrix(np.array(in_weights, dtype=np.int32))
        relay_bias = np.array(relay_bias)
        relay_out = even_ints(per_spike)
        relay_fac = even_ints(facilitated) if power == 2 else None
    if relay_out is not None and relay_out.nnz == 0 and (relay_fac is None or relay_fac.nnz == 0):
        relay = relay_out = relay_fac = relay_bias = None  # bias term below one weight step: drop the relay
        relay_vth = relay_exp = 0
    if relay is not None:
        # Each relay's drive over an image: the input spikes plus its bias (0, or -t per input step).
        drives = np.round(Xq * steps).sum(axis=1)[:, None] + relay_bias[None, :] * steps
        relay_counts = np.floor(np.maximum(drives, 0.0) / relay_vth + 0.5)
        gain_term = relay_counts @ (relay_out.toarray().T * 2.0**relay_exp) / rho
        if relay_fac is not None:
            gain_term = gain_term + (relay_counts[:, :1]**2 / 2) * (relay_fac.toarray().ravel()
                                                                   * 2.0**relay_exp)[None, :] / rho
    if form.bias_gain is not None:
        bias = bias * form.bias_gain[0] ** power
    logits = np.asarray(o_int @ (counts if power == 1 else counts**2 / 2).T).T / rho + bias + gain_term
    top = logits.max(axis=1)
    low_top, high_top = np.quantile(top, 1 - quantile), np.quantile(top, quantile)
    shift = -low_top + OUTPUT_MARGIN * max(high_top - low_top, 1e-9)
    output_vth = int(np.ceil(power * rho * (high_top + shift) / steps))  # facilitated input arrives late
    if not 1 <= output_vth <= MAX_VTH:
        raise HardwareError(f"output threshold {output_vth} outside Loihi's 17-bit range (0..{MAX_VTH})")
    output_bias = rho * (bias + shift) / slot
    plan = SpikingPlan(
        steps=int(steps), slot=int(slot), hidden_weights=w_int, hidden_bias=hidden_bias,
        hidden_vth=hidden_vth, output_weights=o_int, output_bias=output_bias, output_vth=output_vth,
        classes=np.asarray(network.classes), weight_bits=int(weight_bits), inhibition_weights=inh,
        inhibition_vth=inh_vth, inhibition_strength=inh_strength, inhibition_exp=inh_exp,
        relay_weights=relay, relay_vth=relay_vth, relay_bias=relay_bias, relay_to_output=relay_out,
        relay_exp=relay_exp,
        relay_facilitated=relay_fac, hidden_power=int(power), notes=notes,
        count_caps=(count_cap(counts, slot), count_cap(relay_counts[:, :1], slot) if relay is not None else 0)
        if power == 2 else (0, 0), output_exp=-1 if halve else 0,
    )
    plan.bias_fixed("hidden"), plan.bias_fixed("output")  # range check now, not inside Lava
    if plan.has_relay:
        plan.bias_fixed("relay")
    return plan


def _layer_step(v, a_in, bias, vth, fixed):
    """One step of the non-leaky LIF with reset by subtraction (Lava's arithmetic).

    ``a_in`` is whole weight steps (integers), or a float array of half
    steps from facilitating synapses. In fixed point the current and the
    potential are 24-bit, as in Lava's bit-accurate LIF: a current beyond
    the range wraps around, a potential is clipped to it.
    """
    if fixed:
        if a_in.dtype.kind == "f":  # half steps are whole units of the fixed-point potential
            current = np.rint(a_in * V_SHIFT).astype(np.int64)
        else:
            current = a_in.astype(np.int64) * V_SHIFT
        if current.size and (current.max() > UV_LIMIT or current.min() <= -UV_LIMIT):
            current = np.where(current > UV_LIMIT, current - 2 * UV_LIMIT, current)
            current = np.where(current <= -UV_LIMIT, current + 2 * UV_LIMIT, current)
        v += current + bias
        np.clip(v, 1 - UV_LIMIT, UV_LIMIT - 1, out=v)
        spikes = v > vth * V_SHIFT
        v[spikes] -= vth * V_SHIFT
    else:
        v += a_in + bias
        spikes = v > vth
        v[spikes] -= vth
    return spikes


def simulate(plan, X, *, fixed=True, observe=None, binary=False):
    """Run the plan's dynamics in NumPy for all images at once.

    Parameters
    ----------
    plan : SpikingPlan
    X : numpy.ndarray, shape (n_images, n_inputs)
    fixed : bool
        Bit-accurate integer arithmetic (as Lava fixed_pt) or floating point.
    observe : callable, optional
        Called after every step of every layer with the layer's name
        (``"inhibition"``, ``"hidden"``, ``"relay"``, ``"counters"``, ``"output"``), its
        synaptic input in weight steps and its potential (after the spikes'
        reset; in fixed point, in units of 1/64 weight step), both of shape
        ``(n_images, n_neurons)``: to see how close a network comes to the
        hardware's ranges. Leave the arrays unchanged.
    binary : bool
        With binary spikes only: a facilitating plan's synapses onto the
        outputs become counter neurons (:mod:`.counters`), which are run too.
        Without it, they facilitate as graded spikes do.

    Returns
    -------
    dict
        ``input``, ``hidden``, ``inhibition``, ``relay``, ``output`` spike counts, each
        ``(n_neurons, n_images)``, ``output_last`` (step of the last
        output spike in the image window, -1 if none), and with ``binary``
        (of a facilitating plan) ``counters``.
    """
    counts_in = encode_inputs(X, plan.steps)
    n_images = counts_in.shape[1]
    if fixed:
        hb, ob = plan.bias_potential("hidden"), plan.bias_potential("output")
        dtype = np.int64
    else:
        hb, ob, dtype = plan.hidden_bias, plan.output_bias, np.float64
    W, V = plan.hidden_weights.astype(np.float64), plan.output_weights.astype(np.float64)
    def half(vth):  # every neuron starts an image at half its threshold: counts round to nearest
        return (vth * V_SHIFT) // 2 if fixed else vth / 2

    vh = np.full((n_images, plan.n_hidden), half(plan.hidden_vth), dtype)
    vo = np.full((n_images, plan.n_classes), half(plan.output_vth), dtype)
    vi = np.full((n_images, 1), half(plan.inhibition_vth), dtype)
    out = {name: np.zeros((n, n_images), np.int64) for name, n in
           (("hidden", plan.n_hidden), ("output", plan.n_classes), ("inhibition", 1 if plan.has_inhibition else 0),
            ("relay", plan.n_relay))}
    vr = np.full((n_images, plan.n_relay), half(plan.relay_vth), dtype)
    if plan.has_relay:
        rb = plan.bias_potential("relay") if fixed else plan.relay_bias
    counters = counters_of(plan) if binary and plan.facilitates else None
    if counters is not None:
        start = counters.start() * (V_SHIFT if fixed else 1.0)
        vc = np.tile(start.astype(dtype), (n_images, 1))
        out["counters"] = np.zeros((counters.size, n_images), np.int64)
    out["output_last"] = np.full((plan.n_classes, n_images), -1, np.int64)
    quantum = plan.inhibition_quantum
    def relay_row(matrix):  # a_in units per relay spike (or per facilitated step): relay neurons x classes
        return None if matrix is None else matrix.toarray().T * 2.0**plan.relay_exp

    relay_out, relay_facilitated = relay_row(plan.relay_to_output), relay_row(plan.relay_facilitated)
    inh_prev = np.zeros((n_images, 1), bool)
    s_r = np.zeros((n_images, 0), bool)

    def step(name, v, a_in, bias, vth):
        spikes = _layer_step(v, a_in, bias, vth, fixed)
        if observe is not None:
            observe(name, a_in, v)
        return spikes

    for tau, s_in in enumerate(encoder_spikes(X, plan.steps, plan.slot)):
        s_in = s_in.T
        a_h = np.asarray(W @ s_in).T
        if plan.has_inhibition:
            a_h = a_h - quantum * inh_prev
            a_i = np.asarray(plan.inhibition_weights.astype(np.float64) @ s_in).T
            inh_prev = step("inhibition", vi, np.rint(a_i).astype(dtype), 0, plan.inhibition_vth)
            out["inhibition"] += inh_prev.T
        s_h = step("hidden", vh, np.rint(a_h).astype(dtype), hb, plan.hidden_vth)
        if plan.has_relay:
            a_r = np.asarray(plan.relay_weights.astype(np.float64) @ s_in).T
            s_r = step("relay", vr, np.rint(a_r).astype(dtype), rb, plan.relay_vth)
        if counters is not None:
            fired = np.hstack([s_h, s_r])[:, counters.source]
            s_c = step("counters", vc, fired.astype(dtype), 0, 1)
            out["counters"] += s_c.T
            a_o = np.asarray(counters.to_output @ s_c.T.astype(np.float64)).T
        else:
            a_o = np.asarray(V @ (s_h * (out["hidden"].T + 0.5) if plan.facilitates else s_h).T.astype(np.float64)).T
            if plan.has_relay:
                a_o = a_o + s_r @ relay_out
                if relay_facilitated is not None:
                    a_o = a_o + (s_r * (out["relay"].T + 0.5)) @ relay_facilitated
        out["hidden"] += s_h.T
        out["relay"] += s_r.T
        s_o = step("output", vo, a_o if plan.facilitates else np.rint(a_o).astype(dtype), ob, plan.output_vth)
        out["output"] += s_o.T
        out["output_last"][s_o.T] = tau
    out["input"] = counts_in.astype(np.int64)
    return out


def classify_counts(output_counts, output_last, classes):
    """Class with the most output spikes; ties go to the class whose last spike came first.

    Parameters
    ----------
    output_counts, output_last : numpy.ndarray, shape (n_classes, n_images)
    classes : numpy.ndarray
    """
    counts = np.asarray(output_counts, dtype=np.float64)
    last = np.asarray(output_last, dtype=np.float64)
    score = counts - np.where(counts > 0, last, 0) / (last.max(initial=0) + 2.0) * 0.5
    return np.asarray(classes)[np.argmax(score, axis=0)]
