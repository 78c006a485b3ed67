"""Spiking inference of a trained network (triangle activation) in Brian2.

A :class:`~neuroplastic.network.TrainedNetwork` from the vectorized engine is
imported as connections: one input->hidden synapse per non-silent hidden
weight, one hidden->output synapse per non-silent readout weight.

Each presentation has two windows:

1. integration (``t_int``): every input neuron fires at ``f_in * x_i``
   (regular, rate-coded spike trains, or Poisson); each hidden unit sums
   ``w_ij`` per input spike, and a norm unit sums each spike's own intensity
   (``||x||^2``). The distance of the input to a unit's weights then needs
   only that synaptic sum and the unit's bias ``||w_j||^2``; an inhibitory
   pool sums the distances of the population.
2. readout (``t_out``): every hidden unit fires regularly at
   ``f_h * h_j`` with the triangle activity ``h_j = max(0, mean_k d_k - d_j)``;
   output units sum ``V_cj`` per hidden spike. The class with the largest
   potential (plus bias) at the end is the prediction.

All images go through one 2-D ``TimedArray`` in one ``run()``.
"""

from dataclasses import dataclass

import numpy as np

from ...errors import ConfigError
from ...rule import equations as eq

__all__ = ["InferenceParams", "build_inference", "spiking_predict"]


@dataclass(frozen=True)
class InferenceParams:
    """Timing and rates of spiking inference (ms, Hz).

    ``f_in_hz * t_int_ms / 1000`` is the spike count of a full-intensity
    pixel, ``f_h_hz * t_out_ms / 1000`` that of a hidden unit with activity 1.
    A unit fires at most once per time step, so activities above
    ``1 / (f_h dt)`` (2 at the defaults) saturate; in the default MNIST
    network that concerned 0.006% of (unit, image) pairs.
    """

    dt_ms: float = 1.0
    t_int_ms: float = 100.0
    t_out_ms: float = 100.0
    f_in_hz: float = 200.0
    f_h_hz: float = 500.0
    coding: str = "regular"

    def validate(self):
        for name in ("dt_ms", "t_int_ms", "t_out_ms", "f_in_hz", "f_h_hz"):
            if not getattr(self, name) > 0:
                raise ConfigError(name, f"must be positive, got {getattr(self, name)}")
        if self.coding not in ("regular", "poisson"):
            raise ConfigError("coding", f"must be 'regular' or 'poisson', got {self.coding!r}")
        if self.f_in_hz * self.dt_ms / 1000.0 > 1.0:
            raise ConfigError("f_in_hz", "must fire at most once per time step (f_in * dt <= 1)")
        for name in ("t_int_ms", "t_out_ms"):
            steps = getattr(self, name) / self.dt_ms
            if abs(steps - round(steps)) > 1e-9:
                raise ConfigError(name, f"must be a multiple of dt_ms ({self.dt_ms})")


def build_inference(network, X, params):
    """Brian2 objects for spiking inference of ``network`` on images ``X`` (rows in order).

    Returns
    -------
    dict
        ``objects``, ``monitor`` (output potentials), ``spikes`` (hidden spike monitor),
        ``duration``, ``namespace``, ``n_images``.
    """
    import brian2 as b2

    params.validate()
    if network.activation != "triangle":
        raise ConfigError("activation", f"spiking inference supports 'triangle', got {network.activation!r}")
    ms, Hz = b2.ms, b2.Hz
    dt = params.dt_ms * ms
    n = X.shape[0]
    W = network.hidden_weights.tocoo()
    V = network.output_weights.tocoo()
    H, n_in = network.hidden_weights.shape
    C = network.output_weights.shape[0]
    t_present = (params.t_int_ms + params.t_out_ms) * ms
    t_window = np.gcd(int(round(params.t_int_ms / params.dt_ms)), int(round(params.t_out_ms / params.dt_ms)))
    window_dt = t_window * dt
    n_int = int(round(params.t_int_ms / params.dt_ms)) // t_window
    n_out = int(round(params.t_out_ms / params.dt_ms)) // t_window
    integrate = np.tile([1.0] * n_int + [0.0] * n_out, n)
    image_dt = 1 * ms
    poisson = params.coding == "poisson"
    namespace = {
        "images": b2.TimedArray(np.asarray(X, dtype=float), dt=image_dt),
        "image_index": b2.TimedArray(np.arange(n + 1, dtype=float).clip(max=n - 1), dt=t_present),
        "integrate_on": b2.TimedArray(np.append(integrate, 0.0), dt=window_dt),
        "readout_on": b2.TimedArray(np.append(1.0 - integrate, 0.0), dt=window_dt),
        "image_dt": image_dt, "f_in": params.f_in_hz * Hz, "f_h": params.f_h_hz * Hz,
        "T_int": params.t_int_ms * ms, "T_out": params.t_out_ms * ms, "n_hidden": H,
        "poisson_on": float(poisson), "poisson_off": float(not poisson),
        "phase0": 0.0 if poisson else 0.5, "phi0": 0.5,
    }
    inputs = b2.NeuronGroup(n_in, eq.INFER_INPUT, threshold=eq.INFER_INPUT_THRESHOLD, reset=eq.INFER_INPUT_RESET,
                            method="euler", dt=dt, name="inputs")
    norm = b2.NeuronGroup(1, eq.INFER_NORM, dt=dt, name="norm")
    pool = b2.NeuronGroup(1, eq.INFER_POOL, dt=dt, name="pool", order=-10)
    hidden = b2.NeuronGroup(H, eq.INFER_HIDDEN, threshold=eq.INFER_HIDDEN_THRESHOLD, reset=eq.INFER_HIDDEN_RESET,
                            method="euler", dt=dt, name="hidden")
    hidden.xx = b2.linked_var(norm, "xx", index=np.zeros(H, dtype=int))
    hidden.sum_d = b2.linked_var(pool, "sum_d", index=np.zeros(H, dtype=int))
    hidden.bias = np.asarray(network.hidden_bias, dtype=float)
    output = b2.NeuronGroup(C, eq.INFER_OUTPUT, dt=dt, name="output")
    output.b = np.asarray(network.output_bias, dtype=float)
    dendrites = b2.Synapses(inputs, hidden, "w : 1 (constant)", on_pre=eq.INFER_SYNAPSE_ON_PRE, dt=dt,
                            name="dendrites")
    dendrites.connect(i=W.col.astype(int), j=W.row.astype(int))
    dendrites.w = W.data.astype(float)
    to_norm = b2.Synapses(inputs, norm, on_pre=eq.INFER_NORM_ON_PRE, dt=dt, name="to_norm")
    to_norm.connect()
    to_pool = b2.Synapses(hidden, pool, eq.INFER_POOL_SYNAPSE, dt=dt, name="to_pool")
    to_pool.connect()
    readout = b2.Synapses(hidden, output, "V : 1 (constant)", on_pre=eq.INFER_OUTPUT_ON_PRE, dt=dt, name="readout")
    readout.connect(i=V.col.astype(int), j=V.row.astype(int))
    readout.V = V.data.astype(float)
    inputs.phase = namespace["phase0"]
    hidden.phi = namespace["phi0"]
    monitor = b2.StateMonitor(output, "potential", record=True, dt=t_present, when="start", order=-1,
                              name="decision")
    spikes = b2.SpikeMonitor(hidden, record=False, name="hidden_spikes")
    input_spikes = b2.SpikeMonitor(inputs, record=False, name="input_spikes")
    resets = [
        hidden.run_regularly(eq.INFER_DISTANCE, when="groups", order=-20, name="distance"),
        inputs.run_regularly(eq.INFER_RESET_INPUT, dt=t_present, when="start", name="reset_inputs"),
        hidden.run_regularly(eq.INFER_RESET_HIDDEN, dt=t_present, when="start", name="reset_hidden"),
        norm.run_regularly(eq.INFER_RESET_NORM, dt=t_present, when="start", name="reset_norm"),
        output.run_regularly(eq.INFER_RESET_OUTPUT, dt=t_present, when="start", name="reset_output"),
    ]
    objects = [inputs, norm, pool, hidden, output, dendrites, to_norm, to_pool, readout, monitor, spikes,
               input_spikes] + resets
    return {"objects": objects, "monitor": monitor, "spikes": spikes, "input_spikes": input_spikes,
            "duration": n * t_present + dt, "namespace": namespace, "n_images": n}


def spiking_predict(network, X, params=None, *, seed=None, standalone=False):
    """Class evidence of every image by spiking inference.

    Parameters
    ----------
    network : TrainedNetwork
    X : numpy.ndarray, shape (n, n_inputs), values in [0, 1]
    params : InferenceParams, optional
    seed : int, optional
        Seed of Brian2's random numbers (Poisson coding only).
    standalone : bool
        True if the caller selected ``cpp_standalone``.

    Returns
    -------
    dict
        ``potentials`` (n, n_classes), ``predictions`` (class labels), ``hidden_spikes``,
        ``input_spikes``, ``simulated_seconds`` (biological time), ``simulation_wall_seconds`` (standalone:
        the compiled program's run time, without the build).
    """
    import brian2 as b2

    params = params or InferenceParams()
    if seed is not None:
        b2.seed(int(seed))
    built = build_inference(network, np.asarray(X), params)
    net = b2.Network(built["objects"])
    net.run(built["duration"], namespace=built["namespace"])
    simulation_seconds = None
    if standalone:
        simulation_seconds = float(b2.device._last_run_time)
    potentials = np.asarray(built["monitor"].potential).T[1:built["n_images"] + 1]
    return {"potentials": potentials, "predictions": network.classes[np.argmax(potentials, axis=1)],
            "hidden_spikes": int(built["spikes"].num_spikes), "input_spikes": int(built["input_spikes"].num_spikes),
            "simulated_seconds": float(built["duration"] / b2.second), "simulation_wall_seconds": simulation_seconds}
