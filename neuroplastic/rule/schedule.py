"""The one schedule of a training session, executed by every engine.

A session runs two phases, each with its own number of passes over the
training images:

1. ``hidden`` (``[training] hidden_epochs``): the hidden layer develops.
   Winner-take-all instar learning with a conscience bias; each winner may
   grow a synapse at an input active in the image it won
   (``rewiring.growth_probability``); a unit at its capacity
   (``rewiring.max_synapses_per_unit``) makes room by eliminating its
   weakest synapse. The readout does not learn yet.
2. ``readout`` (``[training] readout_epochs``): the readout learns by
   perturbation, with its own per-output-unit budget and turnover. It
   opens with a consolidation event at which each hidden unit keeps its
   strongest ``rewiring.synapses_per_unit`` synapses (if that is below its
   capacity). The hidden layer stays plastic: winners keep learning and
   growing (``rewiring.readout_growth_probability``; new synapses start weak,
   ``rewiring.readout_growth_weight``), so turnover goes on all through
   training.

With ``rewiring.consolidate_after = k`` the consolidation comes earlier:
after the first ``k`` passes of the hidden phase, whose remaining passes
then run at the consolidated budget (still growing and eliminating), so the
hidden phase is listed as two phases named ``hidden``.

A rewiring event every ``rewiring.period`` presentations eliminates hidden
synapses below ``rewiring.elimination_threshold``, turns over the output
synapses and records the census.
"""

from dataclasses import dataclass

__all__ = ["Phase", "session_schedule"]


@dataclass(frozen=True)
class Phase:
    """One phase of the schedule.

    Attributes
    ----------
    name : {"hidden", "readout"}
    epochs : int
        Passes over the training images.
    growth_probability : float
        Probability per win that the winner grows a synapse at an active input.
    growth_weight : float
        A grown synapse starts at ``growth_weight * x_i``.
    readout_learns : bool
        Whether the output synapses learn (and turn over) in this phase.
    hidden_budget : int
        Synapses a hidden unit may hold during the phase.
    """

    name: str
    epochs: int
    growth_probability: float
    growth_weight: float
    readout_learns: bool
    hidden_budget: int


def session_schedule(rule, hidden_epochs, readout_epochs):
    """The phases of one session.

    Parameters
    ----------
    rule : RuleParams
    hidden_epochs, readout_epochs : int
        Passes of each phase; a phase with 0 passes is left out.

    Returns
    -------
    tuple of Phase
    """
    r = rule.rewiring
    wide = hidden_epochs if r.consolidate_after is None else min(r.consolidate_after, hidden_epochs)
    phases = (Phase("hidden", wide, r.growth_probability, r.growth_weight, False, r.max_synapses_per_unit),
              Phase("hidden", hidden_epochs - wide, r.growth_probability, r.growth_weight, False, r.budget),
              Phase("readout", readout_epochs, r.readout_growth_probability, r.readout_growth_weight, True, r.budget))
    return tuple(p for p in phases if p.epochs > 0)
