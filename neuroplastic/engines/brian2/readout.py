"""Output layer in Brian2: the three-factor node-perturbation rule.

Each presentation lasts ``K`` time steps, one noise trial per step. Per step:

- ``start``: every output unit draws a perturbation ``xi_c``;
- ``groups``: the readout synapses sum the clean potential ``u_c``; a
  critic sums the softmax normalisers under ``+xi`` and ``-xi``
  and the labelled class's potentials;
- ``end``: the critic forms the global learning signal ``dL`` (the loss
  change); every synapse accumulates the eligibility ``dL xi_c h_j``; at a
  presentation's last trial the eligibility is applied,
  ``dV = -eta / (K sigma^2) * eligibility``, and cleared.

Hidden activity comes in through a 2-D ``TimedArray`` of the (standardised)
features of the training images, indexed by a ``TimedArray`` of image
numbers; the learning rate and the "apply now" flag are ``TimedArray``s too.
"""

import numpy as np

from ...rule import equations as eq
from ...rule.updates import cross_entropy

__all__ = ["run_readout"]


def run_readout(V, b, features, labels, order, *, learning_rates, noise_std, n_perturbations, antithetic,
                seed=None):
    """Train the readout on ``features[order]``; return (V, b, loss per presentation, correct per presentation).

    Parameters
    ----------
    V : numpy.ndarray, shape (n_hidden, n_classes)
    b : numpy.ndarray, shape (n_classes,)
    features : numpy.ndarray, shape (n_images, n_hidden)
        Presynaptic (hidden) activity of each training image.
    labels : numpy.ndarray of int, shape (n_images,)
        Class index of each image.
    order : numpy.ndarray of int
        Image at each presentation.
    learning_rates : numpy.ndarray, shape (len(order),)
        Rate eta of each presentation.
    noise_std : float
    n_perturbations : int
        Trials (time steps) per presentation.
    antithetic : bool
    seed : int, optional
        Seed of Brian2's random numbers.
    """
    import brian2 as b2

    if seed is not None:
        b2.seed(int(seed))
    H, C = V.shape
    K = int(n_perturbations)
    n = len(order)
    step = b2.defaultclock.dt
    image_dt = 1 * b2.ms
    per_step_image = np.repeat(np.asarray(order, dtype=float), K)
    apply_flags = np.tile(np.eye(1, K, K - 1).ravel(), n)
    namespace = {
        "features": b2.TimedArray(np.asarray(features, dtype=float), dt=image_dt),
        "labels": b2.TimedArray(np.asarray(labels, dtype=float), dt=image_dt),
        "image_index": b2.TimedArray(per_step_image, dt=step),
        "apply": b2.TimedArray(apply_flags, dt=step),
        "eta": b2.TimedArray(np.repeat(np.asarray(learning_rates, dtype=float), K), dt=step),
        "image_dt": image_dt, "sigma": float(noise_std), "K": K, "antithetic": float(bool(antithetic)),
    }
    hidden = b2.NeuronGroup(H, eq.READOUT_HIDDEN, name="readout_hidden")
    output = b2.NeuronGroup(C, eq.READOUT_OUTPUT, name="readout_output", order=-10)
    # one critic copy per output unit (each sums over all outputs), so that the signal needs no index map
    critic = b2.NeuronGroup(C, eq.READOUT_CRITIC, name="critic", order=0)
    output.dL = b2.linked_var(critic, "dL")
    output.b = np.asarray(b, dtype=float)
    synapses = b2.Synapses(hidden, output, eq.READOUT_SYNAPSE, name="readout")
    pre, post = np.divmod(np.arange(H * C), C)
    synapses.connect(i=pre, j=post)
    synapses.V = np.asarray(V, dtype=float).ravel()
    to_critic = b2.Synapses(output, critic, eq.READOUT_CRITIC_SYNAPSE, name="to_critic")
    to_critic.connect()
    monitor = b2.StateMonitor(output, ["u", "b"], record=True, dt=K * step, when="end", order=-5,
                              name="readout_monitor")
    network = b2.Network(
        hidden, output, critic, synapses, to_critic, monitor,
        output.run_regularly(eq.READOUT_NOISE, when="start", name="noise"),
        critic.run_regularly(eq.READOUT_SIGNAL, when="end", order=-1, name="signal"),
        synapses.run_regularly(eq.READOUT_ELIGIBILITY + "\n" + eq.READOUT_APPLY, when="end", order=0,
                               name="three_factor"),
        output.run_regularly(eq.READOUT_BIAS, when="end", order=0, name="bias_update"),
    )
    network.run(n * K * step, namespace=namespace)
    potentials = (np.asarray(monitor.u) + np.asarray(monitor.b)).T[:n]
    y = np.asarray(labels)[np.asarray(order)]
    loss = cross_entropy(potentials, y)
    correct = np.argmax(potentials, axis=1) == y
    V_new = np.asarray(synapses.V[:], dtype=np.float32).reshape(H, C)
    return V_new, np.asarray(output.b[:], dtype=np.float32), loss, correct
