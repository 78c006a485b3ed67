"""Parameters of the learning rule, as plain frozen dataclasses.

A model definition's ``[rule.hidden]``, ``[rule.rewiring]``,
``[rule.homeostasis]`` and ``[rule.output]`` tables map onto these classes
field by field. The network size (``n_hidden``), the activation, the
number of passes of each phase, the batch size and the seed live in the
network and training specifications, not here. Defaults are the values
chosen on the validation split of full MNIST (see ``models/*.toml``).
"""

from dataclasses import dataclass, field
from typing import Literal, Optional

from ..errors import ConfigError

__all__ = ["HiddenRuleParams", "RewiringParams", "HomeostasisParams", "OutputRuleParams", "RuleParams"]


def _positive(name, value):
    if not value > 0:
        raise ConfigError(name, f"must be positive, got {value}")


def _probability(name, value):
    if not 0.0 <= value <= 1.0:
        raise ConfigError(name, f"must be in [0, 1], got {value}")


def _budget(name, value):
    if value is not None and value < 1:
        raise ConfigError(name, f"must be at least 1, got {value}")


@dataclass(frozen=True)
class HiddenRuleParams:
    """Competitive Hebbian (instar) learning of the input->hidden synapses.

    Parameters
    ----------
    initial_weight_low, initial_weight_high : float
        Efficacies of a unit's first synapses at uniformly random inputs are
        drawn from U(low, high) (the paper: 0.01, 0.1).
    initial_win_count : float
        Starting value of each unit's win count; the learning rate of a unit
        is 1 / (its win count), as in online k-means.
    """

    initial_weight_low: float = 0.01
    initial_weight_high: float = 0.1
    initial_win_count: float = 1.0

    def validate(self):
        if not 0.0 <= self.initial_weight_low <= self.initial_weight_high:
            raise ConfigError("initial_weight_low", "must satisfy 0 <= initial_weight_low <= initial_weight_high, "
                              f"got {self.initial_weight_low} and {self.initial_weight_high}")
        if self.initial_weight_high <= 0:
            raise ConfigError("initial_weight_high", f"must be positive, got {self.initial_weight_high}")
        _positive("initial_win_count", self.initial_win_count)


@dataclass(frozen=True)
class RewiringParams:
    """Structural plasticity of the input->hidden synapses: birth, growth, elimination.

    The layer is sparse from birth: a unit never holds more than
    ``max_synapses_per_unit`` synapses, and learns which inputs to hold by
    growing synapses where its own activity coincides with presynaptic
    activity and losing its weakest ones.

    Parameters
    ----------
    max_synapses_per_unit : int
        Synapse capacity of a unit while the hidden layer develops (the
        hidden phase): its resource budget at every moment.
    synapses_per_unit : int, optional
        Budget from the end of the hidden phase on (at most
        ``max_synapses_per_unit``). At that moment each unit keeps its
        strongest ``synapses_per_unit`` synapses, a decision that uses only
        its own synapses. ``None``: the capacity stays the budget.
    initial_support : {"active", "random"}
        Where a unit's first synapses form: at inputs active in one training
        image, drawn with probability proportional to their intensity
        (activity-dependent synaptogenesis), or at uniformly random inputs.
    initial_synapses : int, optional
        Synapses a unit is born with (default: its capacity).
    growth_probability : float
        Hidden phase: probability that a unit, each time it wins an input,
        grows a synapse at one input that is active in that image (intensity
        above ``growth_threshold``) and that it does not yet hold. A unit at
        its capacity makes room by eliminating its weakest synapse.
    readout_growth_probability : float
        The same, once the readout learns (the readout phase): turnover goes
        on, at the pace the readout can follow.
    growth_threshold : float
        Presynaptic activity above which an input counts as active for growth.
    growth_weight : float
        A synapse grown in the hidden phase starts at ``growth_weight * x_i``:
        a fraction of the presynaptic activity that made it grow.
    readout_growth_weight : float
        The same for synapses grown once the readout learns. New synapses
        then start weak, so they barely change what the unit computes; one
        that keeps being active when its unit wins is strengthened by the
        instar rule, the others stay the weakest and are the next to go
        (most new spines are transient, a few are stabilised: Holtmaat et
        al. 2005; Xu et al. 2009).
    consolidate_after : int, optional
        Hidden passes after which each unit keeps its strongest
        ``synapses_per_unit`` synapses. The remaining passes of the hidden
        phase run at that budget, with growth and elimination going on, so
        the competition settles on the consolidated synapses before the
        readout learns (a wide pass then narrow ones, as a dense warm-up and
        prune, but never above ``max_synapses_per_unit``). ``None``:
        consolidate when the readout starts.
    elimination_threshold : float
        At every rewiring event, synapses with efficacy below this value are
        eliminated (0: only synapses that decayed to exactly zero).
    period : int
        Presentations between rewiring events (threshold elimination, output
        turnover and the census of synapses).
    activity_cost : float
        Exponent ``gamma`` of a synapse's upkeep. A unit that must make room
        eliminates the synapse with the smallest ``w_ij / (r_i + 0.01)**gamma``,
        where ``r_i`` is the running mean activity of input ``i`` (a
        presynaptic trace). Transmission dominates the brain's energy use, and
        it scales with the presynaptic rate (Attwell and Laughlin 2001): with
        ``gamma > 0`` a unit keeps inputs that are active for its pattern but
        seldom otherwise. The default 0 ranks by weight alone.
    """

    max_synapses_per_unit: int = 16
    synapses_per_unit: Optional[int] = None
    initial_support: Literal["active", "random"] = "active"
    initial_synapses: Optional[int] = None
    growth_probability: float = 0.1
    readout_growth_probability: float = 0.01
    growth_threshold: float = 0.5
    growth_weight: float = 0.5
    readout_growth_weight: float = 0.05
    elimination_threshold: float = 0.0
    period: int = 10_000
    consolidate_after: Optional[int] = None
    activity_cost: float = 0.0

    @property
    def budget(self):
        """Synapses per unit from the end of the hidden phase on."""
        return self.max_synapses_per_unit if self.synapses_per_unit is None else self.synapses_per_unit

    @property
    def n_initial(self):
        """Synapses a unit is born with."""
        return self.max_synapses_per_unit if self.initial_synapses is None else self.initial_synapses

    def validate(self):
        _budget("max_synapses_per_unit", self.max_synapses_per_unit)
        _budget("synapses_per_unit", self.synapses_per_unit)
        _budget("initial_synapses", self.initial_synapses)
        for name in ("synapses_per_unit", "initial_synapses"):
            value = getattr(self, name)
            if value is not None and value > self.max_synapses_per_unit:
                raise ConfigError(name, f"must be at most max_synapses_per_unit ({self.max_synapses_per_unit}), "
                                  f"got {value}")
        if self.period < 1:
            raise ConfigError("period", f"must be a positive integer, got {self.period}")
        if self.consolidate_after is not None and self.consolidate_after < 1:
            raise ConfigError("consolidate_after", f"must be at least 1, got {self.consolidate_after}")
        _probability("growth_probability", self.growth_probability)
        _probability("readout_growth_probability", self.readout_growth_probability)
        if not 0.0 <= self.growth_threshold < 1.0:
            raise ConfigError("growth_threshold", f"must be in [0, 1), got {self.growth_threshold}")
        _positive("growth_weight", self.growth_weight)
        _positive("readout_growth_weight", self.readout_growth_weight)
        if self.elimination_threshold < 0:
            raise ConfigError("elimination_threshold", f"must be non-negative, got {self.elimination_threshold}")
        if not self.activity_cost >= 0:
            raise ConfigError("activity_cost", f"must be non-negative, got {self.activity_cost}")


@dataclass(frozen=True)
class HomeostasisParams:
    """Conscience bias that keeps every hidden unit winning about 1/n_hidden of the time.

    Parameters
    ----------
    strength : float
        Bias per unit of excess win rate, in units of squared distance:
        ``b_j = strength * (n_hidden * r_j - 1)``. 0 switches homeostasis off.
    time_constant : float
        Presentations over which the win rate ``r_j`` is averaged.
    """

    strength: float = 30.0
    time_constant: float = 10_000.0

    def validate(self):
        if self.strength < 0:
            raise ConfigError("strength", f"must be non-negative, got {self.strength}")
        _positive("time_constant", self.time_constant)


@dataclass(frozen=True)
class OutputRuleParams:
    """Perturbation learning and structural plasticity of the hidden->output synapses (no backprop).

    Parameters
    ----------
    method : {"node", "weight"}
        Perturb the output potentials (node perturbation) or the output
        weights (the paper's weight perturbation).
    learning_rate : float
        Rate at the start of the readout phase; it decays linearly to 0.
    noise_std : float
        Standard deviation sigma of the Gaussian perturbation.
    n_perturbations : int
        Independent perturbation trials per presentation (node) or per batch
        (weight); the update averages them.
    antithetic : bool
        Measure the loss change between +noise and -noise (halves the
        variance of the estimate) instead of against the clean potential.
    hebbian_rate : float
        Rate of the optional Hebbian (instar) term ``y_c (h_j - w_jc)``.
    standardize : bool
        Homeostatic gain control of each hidden unit's output: the readout
        sees ``(h_j - m_j) / s_j``, where ``m_j`` and ``s_j`` are the unit's
        own running mean and standard deviation of activity. Folded into the
        saved weights.
    gain_time_constant : float
        Presentations over which ``m_j`` and ``s_j`` are averaged.
    synapses_per_unit : int, optional
        Output structural plasticity: each output unit holds at most this
        many synapses, all through learning. It is born with that many at
        uniformly random hidden units (weight 0), and at every rewiring
        event replaces its weakest ones by silent sites whose eligibility
        is largest. ``None``: every hidden unit connects to every output unit.
    turnover : float
        Fraction of an output unit's synapses replaced at a rewiring event at
        the start of the readout phase; it decays linearly to 0 at its end.
    eligibility_time_constant : float
        Presentations over which the eligibility of each potential output
        synapse (the running mean of its three-factor update: presynaptic
        activity x the unit's learning signal) is averaged.
    session_scaling : bool
        Synaptic scaling between sessions (continual learning). At the end
        of a session that taught output units never taught before, the
        weights and bias of those units are scaled by one common factor,
        so that their mean weight norm equals that of the units taught in
        earlier sessions (homeostatic synaptic scaling, Turrigiano 2008, in
        the form of the weight aligning of Zhao et al., CVPR 2020). It has
        no effect on a single session.
    """

    method: Literal["node", "weight"] = "node"
    learning_rate: float = 0.05
    noise_std: float = 0.3
    n_perturbations: int = 8
    antithetic: bool = True
    hebbian_rate: float = 0.0
    standardize: bool = True
    gain_time_constant: float = 10_000.0
    synapses_per_unit: Optional[int] = None
    turnover: float = 0.1
    eligibility_time_constant: float = 5_000.0
    session_scaling: bool = False

    def validate(self):
        if self.method not in ("node", "weight"):
            raise ConfigError("method", f"must be 'node' or 'weight', got {self.method!r}")
        _positive("learning_rate", self.learning_rate)
        _positive("noise_std", self.noise_std)
        if self.n_perturbations < 1:
            raise ConfigError("n_perturbations", f"must be a positive integer, got {self.n_perturbations}")
        if self.hebbian_rate < 0:
            raise ConfigError("hebbian_rate", f"must be non-negative, got {self.hebbian_rate}")
        _positive("gain_time_constant", self.gain_time_constant)
        _budget("synapses_per_unit", self.synapses_per_unit)
        _probability("turnover", self.turnover)
        _positive("eligibility_time_constant", self.eligibility_time_constant)


@dataclass(frozen=True)
class RuleParams:
    """All of the rule's parameters: the ``[rule.*]`` tables of a model definition."""

    hidden: HiddenRuleParams = field(default_factory=HiddenRuleParams)
    rewiring: RewiringParams = field(default_factory=RewiringParams)
    homeostasis: HomeostasisParams = field(default_factory=HomeostasisParams)
    output: OutputRuleParams = field(default_factory=OutputRuleParams)

    def validate(self):
        for part in (self.hidden, self.rewiring, self.homeostasis, self.output):
            part.validate()

    def check_sizes(self, n_inputs, n_hidden):
        """Check the budgets against the network's size.

        Raises
        ------
        ConfigError
            ``rule.rewiring.max_synapses_per_unit`` above the number of inputs, or
            ``rule.output.synapses_per_unit`` above the number of hidden units.
        """
        if self.rewiring.max_synapses_per_unit > n_inputs:
            raise ConfigError("[rule.rewiring] max_synapses_per_unit",
                              f"must be at most the number of inputs ({n_inputs}), "
                              f"got {self.rewiring.max_synapses_per_unit}")
        budget = self.output.synapses_per_unit
        if budget is not None and budget > n_hidden:
            raise ConfigError("[rule.output] synapses_per_unit",
                              f"must be at most the number of hidden units ({n_hidden}), got {budget}")
