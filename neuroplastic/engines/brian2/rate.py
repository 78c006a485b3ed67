"""Rate form of the hidden layer in Brian2: one presentation per time step, on the synapses that exist.

The layer is sparse from birth here too: the synapses are one Brian2 group
with one element per slot of a unit (``n_hidden x capacity`` of them, the
:class:`~neuroplastic.rule.state.HiddenSynapses` layout), each reading the
activity of its input through its integer variable ``src`` (the images are
one 2-D ``TimedArray``, indexed by the image shown now and by ``src``). A
synapse moves to another input by changing ``src``, ``w`` and ``birth``;
no dense ``n_hidden x n_inputs`` pool exists. Each synapse is wired into
its unit's dendrite (``RATE_DENDRITE``) and compares itself with its
siblings of the same unit (``RATE_SIBLINGS``, ``capacity - 1`` each), which
is how a unit finds its weakest synapse without a ranking across units.

Per time step (``when`` slots of Brian2's schedule):

- ``start``: every unit draws four growth candidates, uniformly among the
  inputs above the growth threshold in the image shown now (a table of
  each image's active inputs, ``active_inputs`` and ``n_active``);
- ``groups``: the dendrites sum ``w_j . x``, ``||w_j||^2`` and whether the
  unit holds each candidate already; each unit's score is its squared
  distance to the input (minus the common ``||x||^2``) plus its conscience
  bias; a lateral circuit counts, for every unit, the rivals with a better
  score (the winner has none); each synapse compares its efficacy after
  this presentation's instar with its siblings';
- ``after_groups``: the winner decides to grow (probability ``p_grow``) at
  its first candidate it does not hold (rejection sampling with four
  draws: if all four land on inputs it holds, it does not grow this time);
- ``thresholds``: the growing unit's weakest synapse (an empty slot first)
  emits a ``regrow`` event, recorded with its birth time (for the census);
- ``end``: a monitor records the sums and the winner; the winner's
  existing synapses move towards the input (instar, rate ``1/count``), it
  counts its win, every unit updates its win rate and conscience bias, and
  the ``regrow`` synapse moves to the chosen input with efficacy
  ``w_grow * x_i``; at the presentation that ends with a rewiring event,
  every synapse below the elimination threshold emits an ``eliminate``
  event and empties its slot (threshold elimination, in the network).

:class:`RateHiddenLayer` keeps one such network for a stretch of
presentations (the rest of a pass). Between two calls of
:meth:`RateHiddenLayer.run` the caller may change the synapses in the
:class:`~neuroplastic.rule.state.TrainingState` (the consolidation at the
start of the readout phase); :meth:`RateHiddenLayer.push` reads them back in.
"""

import numpy as np

from ...rule import equations as eq
from .slots import active_input_table, sibling_pairs, upkeep_row

__all__ = ["RateHiddenLayer"]

F32 = np.float32


class RateHiddenLayer:
    """The rate-form hidden layer of one stretch of presentations, as a Brian2 network.

    Parameters
    ----------
    state : TrainingState
        Synapses and unit variables the network starts from (read by :meth:`push`).
    X : numpy.ndarray, shape (n_images, n_inputs)
        Training images.
    order : numpy.ndarray of int
        Image shown at each time step of the stretch.
    gamma, tau_h : float
        Homeostatic strength and time constant (presentations).
    p_grow, growth_threshold, growth_weight : float
        Growth probability per win, activity threshold of a growth site, and
        the fraction of the presynaptic activity a grown synapse starts at.
    upkeep : numpy.ndarray, optional
        Upkeep of a synapse from each input (``rewiring.activity_cost``; read
        once, when the network is built): the weakest synapse is the one with
        the least efficacy per unit of upkeep. All ones if omitted.
    seed : int, optional
        Seed of Brian2's random numbers (the growth draws).
    elimination_threshold : float
        Efficacy below which a rewiring event eliminates a synapse.
    """

    def __init__(self, state, X, order, *, gamma, tau_h, p_grow=0.0, growth_threshold=0.5, growth_weight=0.5,
                 upkeep=None, seed=None, elimination_threshold=0.0):
        import brian2 as b2

        if seed is not None:
            b2.seed(int(seed))
        hidden = state.hidden
        H, C = hidden.index.shape
        self.step = b2.defaultclock.dt
        image_dt = 1 * b2.ms
        X = np.asarray(X, dtype=float)
        table, n_active = active_input_table(X, growth_threshold)
        self.t0 = int(state.progress.presentations)
        self.namespace = {
            "images": b2.TimedArray(X, dt=image_dt),
            "active_inputs": b2.TimedArray(table, dt=image_dt),
            "n_active": b2.TimedArray(n_active, dt=image_dt),
            "image_index": b2.TimedArray(np.asarray(order, dtype=float), dt=self.step),
            "upkeep": b2.TimedArray(upkeep_row(upkeep, X.shape[1]), dt=1 * b2.second),
            "image_dt": image_dt, "gamma": float(gamma), "tau_h": float(tau_h), "N": H,
            "p_grow": float(p_grow), "w_grow": float(growth_weight), "t0": self.t0,
            "w_elim": float(elimination_threshold),
        }
        self.hidden = b2.NeuronGroup(H, eq.RATE_HIDDEN, name="hidden", order=-10)
        pool = b2.NeuronGroup(H, eq.RATE_COMPETITION, name="competition", order=0)
        self.hidden.n_better = b2.linked_var(pool, "n_better")
        pool.own_score = b2.linked_var(self.hidden, "score")
        # the synapses' summed updater (order 9) runs after the competition's (-1): merit needs the winner
        self.synapses = b2.NeuronGroup(H * C, eq.RATE_SYNAPSES, events={"regrow": eq.RATE_REGROW_EVENT,
                                                                        "eliminate": eq.RATE_ELIMINATE_EVENT},
                                       name="synapses", order=10)
        # elimination after the instar (order 0) and growth (order 3) of the event's presentation
        self.synapses.thresholder["eliminate"].when = "end"
        self.synapses.thresholder["eliminate"].order = 4
        self.synapses.rewire_step = -1
        unit = np.repeat(np.arange(H), C)
        self.synapses.unit = unit
        self.synapses.n_better_unit = b2.linked_var(pool, "n_better", index=unit)
        self.synapses.count_unit = b2.linked_var(self.hidden, "count", index=unit)
        self.synapses.grow_unit = b2.linked_var(self.hidden, "grow", index=unit)
        self.synapses.chosen_unit = b2.linked_var(self.hidden, "chosen", index=unit)
        dendrite = b2.Synapses(self.synapses, self.hidden, eq.RATE_DENDRITE, name="dendrite")
        dendrite.connect(i=np.arange(H * C), j=unit)
        lateral = b2.Synapses(self.hidden, pool, eq.RATE_LATERAL, name="lateral")
        lateral.connect(condition="i != j")
        self.regrown = b2.EventMonitor(self.synapses, "regrow", variables=["birth"], name="regrown")
        self.eliminated = b2.EventMonitor(self.synapses, "eliminate", variables=["birth"], when="end", order=5,
                                          name="eliminated")
        self.network = b2.Network(
            self.hidden, pool, self.synapses, dendrite, lateral, self.regrown, self.eliminated,
            # between the summed updaters of the hidden layer (order -11) and of the competition pool (-1)
            self.hidden.run_regularly(eq.RATE_SCORE, when="groups", order=-5, name="score"),
            self.synapses.run_regularly(eq.RATE_INSTAR, when="end", order=0, name="instar"),
            self.hidden.run_regularly(eq.RATE_COUNT, when="end", order=1, name="count"),
            self.hidden.run_regularly(eq.RATE_HOMEOSTASIS, when="end", order=2, name="homeostasis"),
            self.synapses.run_on_event("regrow", eq.RATE_REGROW, when="end", order=3),
            self.synapses.run_on_event("eliminate", eq.RATE_ELIMINATE, when="end", order=6),
        )
        if p_grow > 0:  # without growth the draws and the siblings' comparison would only cost time
            siblings = b2.Synapses(self.synapses, self.synapses, eq.RATE_SIBLINGS, name="siblings")
            pre, post = sibling_pairs(H, C)
            siblings.connect(i=pre, j=post)
            self.network.add(
                siblings,
                self.hidden.run_regularly(eq.RATE_DRAW, when="start", name="draw"),
                # after the competition's summed updater (-1), before the siblings' (9)
                self.synapses.run_regularly(eq.RATE_MERIT, when="groups", order=5, name="merit"),
                self.hidden.run_regularly(eq.RATE_GROW_DECISION, when="after_groups", name="grow_decision"),
            )
        self.shape = (H, C)
        self.monitor = None
        self._seen = {self.regrown.name: 0, self.eliminated.name: 0}  # events already returned, per monitor
        self.push(state)

    def push(self, state):
        """Copy the synapses and unit variables of ``state`` into the network."""
        hidden, units = state.hidden, state.units
        if hidden.index.shape != self.shape:
            raise ValueError(f"the network has {self.shape} slots, the state {hidden.index.shape}")
        self.synapses.src[:] = hidden.index.ravel()
        self.synapses.birth[:] = hidden.birth.ravel()
        self.synapses.w[:] = hidden.weight.ravel().astype(float)
        self.hidden.count[:] = units.counts.astype(float)
        self.hidden.win_rate[:] = units.win_rate.astype(float)
        self.hidden.conscience[:] = units.conscience.astype(float)

    def pull(self, state):
        """Copy what the network changed into ``state``: the synapses (efficacies, and the inputs and birth times
        of grown ones), win counts, win rates and conscience biases."""
        state.hidden.weight[...] = np.asarray(self.synapses.w[:], dtype=F32).reshape(self.shape)
        state.hidden.index[...] = np.asarray(self.synapses.src[:], dtype=np.int32).reshape(self.shape)
        state.hidden.birth[...] = np.asarray(self.synapses.birth[:], dtype=np.int64).reshape(self.shape)
        state.units.counts = np.asarray(self.hidden.count[:], dtype=F32)
        state.units.win_rate = np.asarray(self.hidden.win_rate[:], dtype=F32)
        state.units.conscience = np.asarray(self.hidden.conscience[:], dtype=F32)

    def run(self, n, rewire=False):
        """Present the next ``n`` images of the stretch, one per time step.

        Parameters
        ----------
        n : int
        rewire : bool
            Whether a rewiring event follows the last presentation: its
            threshold elimination then runs in the network.

        Returns
        -------
        sums : numpy.ndarray, shape (n, n_hidden)
            ``w_j . x`` of every unit at each presentation (before its instar update).
        squared_norm : numpy.ndarray, shape (n, n_hidden)
            ``||w_j||^2`` the sums were computed with.
        winners : numpy.ndarray of int, shape (n,)
        grown : int
            Synapses grown during the run.
        lifetimes : numpy.ndarray
            Lifetimes (presentations) of the synapses eliminated to make room for them.
        eliminated : numpy.ndarray
            Lifetimes of the synapses the rewiring event eliminated (empty without ``rewire``).
        """
        import brian2 as b2

        if self.monitor is not None:
            self.network.remove(self.monitor)
        first = int(round(float(self.network.t / self.step)))
        self.monitor = b2.StateMonitor(self.hidden, ["wx", "w2", "n_better"], record=True, when="end", order=-1,
                                       name=f"sums_{first}")
        self.network.add(self.monitor)
        self.synapses.rewire_step = first + n - 1 if rewire else -1
        self.network.run(n * self.step, namespace=self.namespace)
        sums = np.asarray(self.monitor.wx, dtype=F32).T
        squared_norm = np.asarray(self.monitor.w2, dtype=F32).T
        winners = np.argmin(np.asarray(self.monitor.n_better), axis=0)
        births, lifetimes = self._new_events(self.regrown)  # a regrown slot's previous synapse, if any, is gone
        _, eliminated = self._new_events(self.eliminated)
        return sums, squared_norm, winners, int(births.size), lifetimes[births >= 0], eliminated

    def _new_events(self, monitor):
        """Birth times of the synapses in the events ``monitor`` recorded since the last call, and their
        lifetimes (presentations) at the event."""
        seen = self._seen[monitor.name]
        births = np.asarray(monitor.birth[seen:], dtype=np.int64)
        steps = np.round(np.asarray(monitor.t[seen:] / self.step)).astype(np.int64)
        self._seen[monitor.name] = seen + births.size
        return births, self.t0 + steps + 1 - births
