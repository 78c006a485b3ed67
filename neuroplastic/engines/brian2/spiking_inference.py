"""The integer rate-coded spiking network of :mod:`neuroplastic.hardware.rate_code` as Brian2 objects.

A :class:`~neuroplastic.hardware.rate_code.SpikingPlan` is built here from
``NeuronGroup``, ``Synapses``, ``SpikeGeneratorGroup`` and ``SpikeMonitor``
objects only. Every layer -- hidden, inhibitory interneuron, relay, output
-- holds a membrane potential ``v`` and emits spikes; no layer reads an
analog value computed from another layer. The plan fixes the network:

- inputs: a ``SpikeGeneratorGroup`` plays the plan's encoded input spikes
  (pixel ``x`` fires ``round(steps * x)`` evenly spaced spikes in the
  image's first ``steps`` time steps);
- every other neuron is a non-leaky integrate-and-fire neuron with reset by
  subtraction::

      v <- v + scale * I + b     (every step; I is the last step's synaptic input, then cleared)
      spike if v > v_th, then v <- v - v_th

  ``I`` is a current that holds one step's input (Loihi's CUBA neuron with
  ``du = 1``); synapses add ``w`` to it (``on_pre='I_post += w'``);
- the inhibitory interneuron's synapses subtract ``q`` from every hidden
  unit's ``I``, except for a spike in the interneuron's last step of an
  image, which would reach the hidden units in the next image (the plan's
  images are independent; see :data:`ON_PRE_INHIBIT`);
- for a squared activation (``plan.facilitates``) the hidden units' and the
  relay's synapses onto the outputs facilitate: every neuron counts its
  spikes in the image (``k``, cleared at every image), and its ``(k+1)``-th
  spike adds ``w * (k + 1/2)`` (``on_pre='I_post += w * (k_pre + 0.5)'``),
  so ``n`` spikes add ``w * n**2 / 2``: the square of a count, carried by
  spikes and a synaptic efficacy that grows with use.

``v`` is dimensionless, in Loihi's fixed-point units (1/64 of a synaptic
weight step, ``scale = 64``) or, with ``fixed=False``, in weight steps
(``scale = 1``): the dynamics are then integer arithmetic, exact in
float64, and the spike counts equal :func:`~neuroplastic.hardware.rate_code.simulate`'s
bit for bit. Volts would only add a conversion factor that float64 cannot
represent exactly.

Schedule: Brian2's default one (groups, thresholds, synapses, resets). A
spike reaches its targets' ``I`` in the step it is emitted and their ``v``
in the next, so each layer lags its inputs by one step: the hidden layer,
the interneuron and the relay by one, the output layer by two. The
interneuron's one-step delay onto the hidden layer is the plan's own.
Every image occupies ``slot = steps + pad`` steps; at the end of its last
step (per layer, shifted by the layer's lag) a custom ``new_image`` event
resets ``v`` to half the threshold, the plan's start of every image. All
images run in one ``run()``; spike counts per image come from the
``SpikeMonitor`` times.
"""

import numpy as np

from ...hardware.rate_code import V_SHIFT, encoder_spikes

__all__ = ["NEURON", "INTEGRATE", "THRESHOLD", "RESET", "NEW_IMAGE", "ON_NEW_IMAGE", "ON_PRE", "ON_PRE_INHIBIT",
           "ON_PRE_FACILITATING", "build_network", "run_plan"]

#: A non-leaky integrate-and-fire neuron with a one-step input current.
NEURON = """
v : 1                      # membrane potential (fixed-point units, see module doc)
I : 1                      # synaptic input received during the last step
b : 1 (constant)           # bias added every step
k : 1                      # spikes emitted in this image (read by facilitating synapses)
v_th : 1 (shared, constant)     # firing threshold
v_start : 1 (shared, constant)  # potential at the start of every image: v_th / 2
scale : 1 (shared, constant)    # potential units per weight step (64, or 1 with fixed=False)
lag : integer (shared, constant) # steps between the image's first step and this layer's
"""
INTEGRATE = "v += scale * I + b; I = 0"   # run every step, in the 'groups' slot
THRESHOLD = "v > v_th"
RESET = "v -= v_th; k += 1"
NEW_IMAGE = "timestep(t, dt) % slot == lag - 1"   # the layer's last step of an image
ON_NEW_IMAGE = "v = v_start; k = 0"
ON_PRE = "I_post += w"
ON_PRE_FACILITATING = "I_post += w * (k_pre + 0.5)"   # k_pre: the source's earlier spikes in this image
ON_PRE_INHIBIT = "I_post -= q * int(timestep(t, dt) % slot != lag_pre - 1)"   # not across images

#: Steps each layer lags the inputs by.
LAGS = {"hidden": 1, "inhibition": 1, "relay": 1, "output": 2}


def _layer(b2, name, n, bias, vth, fixed, dt):
    """One layer of integrate-and-fire neurons (see :data:`NEURON`)."""
    group = b2.NeuronGroup(n, NEURON, threshold=THRESHOLD, reset=RESET, events={"new_image": NEW_IMAGE},
                           dt=dt, name=name)
    group.run_regularly(INTEGRATE, when="groups", name=f"{name}_integrate")
    group.run_on_event("new_image", ON_NEW_IMAGE)
    threshold = vth * V_SHIFT if fixed else float(vth)
    start = (vth * V_SHIFT) // 2 if fixed else vth / 2
    group.v_th = threshold
    group.v_start = start
    group.v = start
    group.scale = V_SHIFT if fixed else 1
    group.lag = LAGS[name]
    group.b = bias
    return group


def _synapses(b2, source, target, matrix, name, dt, on_pre=ON_PRE):
    """``target.I += w`` per spike of ``source`` (or ``on_pre``), one synapse per non-zero of ``matrix``
    (target x source)."""
    coo = matrix.tocoo()
    synapses = b2.Synapses(source, target, "w : 1 (constant)", on_pre=on_pre, dt=dt, name=name)
    synapses.connect(i=coo.col.astype(np.int64), j=coo.row.astype(np.int64))
    synapses.w = coo.data.astype(np.float64)
    return synapses


def build_network(plan, X, *, dt, fixed=True, record=True):
    """Brian2 objects that run ``plan`` on the images ``X`` one after the other.

    Parameters
    ----------
    plan : neuroplastic.hardware.rate_code.SpikingPlan
    X : numpy.ndarray, shape (n_images, n_inputs)
        Values in [0, 1].
    dt : brian2.Quantity
        The time step (one step of the plan).
    fixed : bool
        Loihi's fixed-point arithmetic (as ``simulate(fixed=True)``) or plain
        weight-step units.
    record : bool
        Record every spike of every layer (per-image counts of each layer);
        otherwise only the output layer's spikes and the other layers' totals.

    Returns
    -------
    dict
        ``objects`` (for a ``Network``), ``monitors`` (layer name to
        ``SpikeMonitor``), ``duration``, ``namespace``.
    """
    import brian2 as b2

    n_images = len(X)
    slot = plan.slot
    indices, times = [], []
    for tau, spikes in enumerate(encoder_spikes(X, plan.steps, plan.slot)):
        images, inputs = np.nonzero(spikes)  # spikes: (n_images, n_inputs)
        indices.append(inputs)
        times.append(images.astype(np.int64) * slot + tau)
    order = np.argsort(np.concatenate(times), kind="stable")
    indices = np.concatenate(indices)[order]
    times = np.concatenate(times)[order]
    inputs = b2.SpikeGeneratorGroup(plan.n_inputs, indices, times * dt, dt=dt, name="inputs")

    if fixed:
        hidden_bias, output_bias = plan.bias_potential("hidden"), plan.bias_potential("output")
    else:
        hidden_bias, output_bias = plan.hidden_bias, plan.output_bias
    hidden = _layer(b2, "hidden", plan.n_hidden, hidden_bias, plan.hidden_vth, fixed, dt)
    output = _layer(b2, "output", plan.n_classes, output_bias, plan.output_vth, fixed, dt)
    groups = {"hidden": hidden, "output": output}
    readout_pre = ON_PRE_FACILITATING if plan.facilitates else ON_PRE
    objects = [inputs, hidden, output, _synapses(b2, inputs, hidden, plan.hidden_weights, "dendrites", dt),
               _synapses(b2, hidden, output, plan.output_weights, "readout", dt, readout_pre)]
    namespace = {"slot": int(slot)}
    if plan.has_inhibition:
        inhibition = _layer(b2, "inhibition", 1, 0.0, plan.inhibition_vth, fixed, dt)
        groups["inhibition"] = inhibition
        inhibit = b2.Synapses(inhibition, hidden, on_pre=ON_PRE_INHIBIT, dt=dt, name="inhibit")
        inhibit.connect()
        namespace["q"] = float(plan.inhibition_quantum)
        objects += [inhibition, inhibit,
                    _synapses(b2, inputs, inhibition, plan.inhibition_weights, "to_inhibition", dt)]
    if plan.has_relay:
        relay_bias = plan.bias_potential("relay") if fixed else plan.relay_bias
        relay = _layer(b2, "relay", plan.n_relay, relay_bias, plan.relay_vth, fixed, dt)
        groups["relay"] = relay
        objects += [relay, _synapses(b2, inputs, relay, plan.relay_weights, "to_relay", dt),
                    _synapses(b2, relay, output, plan.relay_to_output * 2**plan.relay_exp, "relay_out", dt)]
        if plan.relay_facilitated is not None:
            objects.append(_synapses(b2, relay, output, plan.relay_facilitated * 2**plan.relay_exp,
                                     "relay_out_facilitating", dt, ON_PRE_FACILITATING))
    monitors = {name: b2.SpikeMonitor(group, record=record or name == "output", name=f"{name}_spikes")
                for name, group in groups.items()}
    monitors["input"] = b2.SpikeMonitor(inputs, record=False, name="input_spikes")
    objects += list(monitors.values())
    return {"objects": objects, "monitors": monitors, "duration": (n_images * slot + LAGS["output"]) * dt,
            "namespace": namespace}


def _per_image(monitor, lag, n_neurons, n_images, slot, dt):
    """Spike counts ``(n_neurons, n_images)`` and the last step of each neuron's spikes in each image (-1: none)."""
    step = np.round(np.asarray(monitor.t / dt)).astype(np.int64) - lag
    neuron = np.asarray(monitor.i, dtype=np.int64)
    image, tau = np.divmod(step, slot)
    keep = (image >= 0) & (image < n_images)  # the layer's first and last steps belong to no image
    counts = np.zeros((n_neurons, n_images), np.int64)
    neuron, image, tau = neuron[keep], image[keep], tau[keep]
    np.add.at(counts, (neuron, image), 1)
    last = np.full((n_neurons, n_images), -1, np.int64)
    np.maximum.at(last, (neuron, image), tau)
    return counts, last


def _progress_bar(standalone):
    """A ``report`` for ``Network.run``: a tqdm bar over simulated time (runtime targets) or Brian2's own text."""
    if standalone:
        return "stderr"
    from tqdm.auto import tqdm

    bar = tqdm(total=100, unit="%", desc="brian2 spiking inference", leave=False)

    def report(elapsed, completed, start, duration):
        bar.update(int(round(100 * completed)) - bar.n)
        if completed >= 1:
            bar.close()

    return report


def run_plan(plan, X, *, dt_ms=1.0, fixed=True, record=True, standalone=False, progress=False):
    """Run ``plan`` on ``X`` in Brian2 (the target selected by the caller); spike counts as ``simulate``.

    Parameters
    ----------
    plan : neuroplastic.hardware.rate_code.SpikingPlan
    X : numpy.ndarray, shape (n_images, n_inputs)
    dt_ms : float
        Time step in ms.
    fixed, record : bool
        See :func:`build_network`.
    standalone : bool
        True if the caller selected ``cpp_standalone``.
    progress : bool
        Report the run's progress on stderr.

    Returns
    -------
    dict
        ``output`` counts and ``output_last`` (as
        :func:`~neuroplastic.hardware.rate_code.simulate`); with ``record``
        also ``hidden``, ``inhibition``, ``relay`` counts per image;
        ``total_spikes`` per layer (input included); ``simulated_seconds``;
        ``simulation_wall_seconds`` (standalone: the compiled program's run
        time, without the build; else None).
    """
    import brian2 as b2

    X = np.asarray(X, dtype=np.float64)
    dt = dt_ms * b2.ms
    built = build_network(plan, X, dt=dt, fixed=fixed, record=record)
    net = b2.Network(built["objects"])
    if progress:
        net.run(built["duration"], namespace=built["namespace"], report=_progress_bar(standalone),
                report_period=2 * b2.second)
    else:
        net.run(built["duration"], namespace=built["namespace"])
    monitors = built["monitors"]
    sizes = {"hidden": plan.n_hidden, "output": plan.n_classes, "inhibition": 1, "relay": plan.n_relay}
    result = {}
    for name in ("hidden", "inhibition", "relay", "output"):
        if name in monitors and (record or name == "output"):
            result[name], last = _per_image(monitors[name], LAGS[name], sizes[name], len(X), plan.slot, dt)
            if name == "output":
                result["output_last"] = last
        elif record:
            result[name] = np.zeros((0, len(X)), np.int64)
    result["total_spikes"] = {name: int(monitor.num_spikes) for name, monitor in monitors.items()}
    result["simulated_seconds"] = float(built["duration"] / b2.second)
    result["simulation_wall_seconds"] = float(b2.device._last_run_time) if standalone else None
    return result
