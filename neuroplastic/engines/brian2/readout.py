"""Output layer in Brian2: the three-factor node-perturbation rule, batch by batch.

One time step is one noise trial of one presentation; a presentation lasts
``K`` steps (its ``K`` trials), a batch ``B * K`` steps. Per step:

- ``groups``: the readout synapses sum the clean potential ``u_c`` of every
  output unit; a critic sums the softmax normalisers under ``+xi`` and
  ``-xi`` and the labelled class's potentials;
- ``end``: the critic forms the global learning signal ``dL`` (the loss
  change under the perturbation); every synapse of the pool (existing or
  silent) accumulates ``dL * xi_c * h_j``; at a batch's last step the
  existing synapses change by ``dV = -eta / (B K sigma^2) * acc``, every
  site's eligibility trace moves towards ``dV / eta``, and the sums clear.

The pool is every potential hidden->output synapse (``n_hidden x
n_classes``, small); a constant ``alive`` flag marks those that exist, so
the output budget holds inside the run, and the rewiring events between
runs change ``alive`` (Brian2 cannot add or remove synapses during a run).

Hidden activity comes in as a 2-D ``TimedArray`` of the standardised
activity of each presentation, the perturbations ``xi`` as another (drawn
by the caller's generator, so that the rate form and the vectorized engine
see the same noise), and the per-step learning rate, normalisation and
"apply now" flag as 1-D ``TimedArray`` objects.
"""

import numpy as np

from ...rule import equations as eq
from ...rule.updates import cross_entropy

__all__ = ["run_readout"]

F32 = np.float32


def _per_step(values, sizes, K, last_only=False):
    """One value per batch, repeated over the batch's ``B * K`` steps (or only at its last step)."""
    steps = np.asarray(sizes, dtype=np.int64) * K
    if not last_only:
        return np.repeat(np.asarray(values, dtype=float), steps)
    out = np.zeros(int(steps.sum()))
    out[np.cumsum(steps) - 1] = values
    return out


def run_readout(readout, features, labels, noise, batch_sizes, *, learning_rates, trace_rates, noise_std, antithetic):
    """Train ``readout`` in place on a stretch of presentations; return (loss, correct) per presentation.

    Parameters
    ----------
    readout : neuroplastic.rule.state.ReadoutSynapses
        Weights, bias, existence and eligibility; updated in place.
    features : numpy.ndarray, shape (n, n_hidden)
        Standardised hidden activity of each presentation, in order.
    labels : numpy.ndarray of int, shape (n,)
        Output-unit index of each presentation's label.
    noise : numpy.ndarray, shape (n, K, n_classes)
        Perturbation of each trial of each presentation.
    batch_sizes : sequence of int
        Presentations of each batch, in order (summing to ``n``).
    learning_rates, trace_rates : sequence of float
        Learning rate ``eta`` and eligibility-trace rate of each batch.
    noise_std : float
        ``sigma``, the perturbations' standard deviation.
    antithetic : bool
        Loss change between ``+xi`` and ``-xi`` (else against the clean potential).

    Returns
    -------
    (loss, correct) : numpy.ndarray, numpy.ndarray of bool
        Clean cross-entropy and whether the clean potentials ranked the
        label first, per presentation (with the weights before its batch's update).
    """
    import brian2 as b2

    n, K, C = noise.shape
    H = features.shape[1]
    step = b2.defaultclock.dt
    sizes = np.asarray(batch_sizes, dtype=np.int64)
    scale = 1.0 / (sizes * K * noise_std ** 2)
    namespace = {
        "features": b2.TimedArray(np.asarray(features, dtype=float), dt=K * step),
        "labels": b2.TimedArray(np.asarray(labels, dtype=float), dt=K * step),
        "perturbation": b2.TimedArray(np.asarray(noise, dtype=float).reshape(n * K, C), dt=step),
        "apply": b2.TimedArray(_per_step(np.ones(len(sizes)), sizes, K, last_only=True), dt=step),
        "eta": b2.TimedArray(_per_step(learning_rates, sizes, K), dt=step),
        "scale": b2.TimedArray(_per_step(scale, sizes, K), dt=step),
        "trace_rate": b2.TimedArray(_per_step(trace_rates, sizes, K), dt=step),
        "antithetic": float(bool(antithetic)),
    }
    hidden = b2.NeuronGroup(H, eq.READOUT_HIDDEN, name="readout_hidden")
    output = b2.NeuronGroup(C, eq.READOUT_OUTPUT, name="readout_output", order=-10)
    # one critic copy per output unit (each sums over all outputs), so that the signal needs no index map
    critic = b2.NeuronGroup(C, eq.READOUT_CRITIC, name="critic", order=0)
    output.dL = b2.linked_var(critic, "dL")
    output.b = readout.bias.astype(float)
    synapses = b2.Synapses(hidden, output, eq.READOUT_SYNAPSE, name="readout")
    pre, post = np.divmod(np.arange(H * C), C)
    synapses.connect(i=pre, j=post)
    synapses.V = readout.weight.astype(float).ravel()
    synapses.alive = readout.alive.astype(float).ravel()
    synapses.elig = readout.eligibility.astype(float).ravel()
    to_critic = b2.Synapses(output, critic, eq.READOUT_CRITIC_SYNAPSE, name="to_critic")
    to_critic.connect()
    monitor = b2.StateMonitor(output, ["u", "b"], record=True, dt=K * step, when="end", order=-5,
                              name="readout_monitor")
    network = b2.Network(
        hidden, output, critic, synapses, to_critic, monitor,
        critic.run_regularly(eq.READOUT_SIGNAL, when="end", order=-1, name="signal"),
        synapses.run_regularly(eq.READOUT_ELIGIBILITY + "\n" + eq.READOUT_APPLY, when="end", order=0,
                               name="three_factor"),
        output.run_regularly(eq.READOUT_BIAS, when="end", order=0, name="bias_update"),
    )
    network.run(n * K * step, namespace=namespace)
    potentials = (np.asarray(monitor.u) + np.asarray(monitor.b)).T[:n]
    y = np.asarray(labels)
    readout.weight[...] = np.asarray(synapses.V[:], dtype=F32).reshape(H, C)
    readout.eligibility[...] = np.asarray(synapses.elig[:], dtype=F32).reshape(H, C)
    readout.bias[...] = np.asarray(output.b[:], dtype=F32)
    return cross_entropy(potentials, y), np.argmax(potentials, axis=1) == y
