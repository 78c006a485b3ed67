"""Parameters of the learning rule, as plain frozen dataclasses.

A model definition's ``[rule.hidden]``, ``[rule.rewiring]``,
``[rule.homeostasis]`` and ``[rule.output]`` tables map onto these classes
field by field. The network size (``n_hidden``), the activation, the
number of passes, the batch size and the seed live in the network and
training specifications, not here. Defaults are the values chosen on the
validation split of full MNIST (see ``models/*.toml`` for the figures).
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


@dataclass(frozen=True)
class HiddenRuleParams:
    """Competitive Hebbian (instar) learning of the input->hidden synapses.

    Parameters
    ----------
    epochs : int
        Passes over the training images during which the hidden synapses are
        plastic (dense warm-up). At its end the per-unit synapse budget is
        imposed by a consolidation event. The output layer learns in the
        remaining passes of ``[training] epochs``.
    consolidation_epochs : int
        Further plastic passes after the budget is imposed, with growth and
        elimination at every rewiring event (0: none).
    initial_weight_low, initial_weight_high : float
        Initial efficacies are drawn from U(low, high) (the paper: 0.01, 0.1).
    initial_win_count : float
        Starting value of each unit's win count; the learning rate of a unit
        is 1 / (its win count), as in online k-means.
    """

    epochs: int = 1
    consolidation_epochs: int = 0
    initial_weight_low: float = 0.01
    initial_weight_high: float = 0.1
    initial_win_count: float = 1.0

    def validate(self):
        if self.epochs < 1:
            raise ConfigError("epochs", f"must be a positive integer, got {self.epochs}")
        if self.consolidation_epochs < 0:
            raise ConfigError("consolidation_epochs",
                              f"must be a non-negative integer, got {self.consolidation_epochs}")
        if not 0.0 <= self.initial_weight_low <= self.initial_weight_high:
            raise ConfigError("initial_weight_low", "must satisfy 0 <= initial_weight_low <= initial_weight_high, "
                              f"got {self.initial_weight_low} and {self.initial_weight_high}")
        if self.initial_weight_high <= 0:
            raise ConfigError("initial_weight_high", f"must be positive, got {self.initial_weight_high}")
        _positive("initial_win_count", self.initial_win_count)


@dataclass(frozen=True)
class RewiringParams:
    """Structural plasticity of the input->hidden synapses.

    Parameters
    ----------
    period : int
        Presentations between rewiring events.
    synapses_per_unit : int, optional
        Resource budget: after the dense warm-up every hidden unit keeps its
        strongest ``synapses_per_unit`` synapses; ``None`` means no budget.
    elimination_threshold : float
        At every event, non-silent synapses with efficacy below this value
        are eliminated (become silent, weight 0).
    growth_probability : float
        At every event, each silent potential synapse becomes non-silent with
        this probability.
    growth_weight : float
        Efficacy of a newly grown synapse.
    activity_cost : float
        Exponent ``gamma`` of a synapse's upkeep under the budget. The budget
        keeps each unit's synapses with the largest ``w_ij / (r_i + 0.01)**gamma``,
        where ``r_i`` is the mean activity of input ``i`` over the images seen
        so far. Transmission dominates the brain's energy use, and it scales
        with the presynaptic rate (Attwell and Laughlin 2001). With
        ``gamma > 0``, a unit therefore keeps the inputs that are active for
        its pattern but seldom otherwise, and drops the ones that are on for
        every digit. Every spike of a kept input costs a synaptic operation
        on hardware. The default 0 ranks by weight alone.
    """

    period: int = 10_000
    synapses_per_unit: Optional[int] = None
    elimination_threshold: float = 0.0
    growth_probability: float = 0.0
    growth_weight: float = 0.05
    activity_cost: float = 0.0

    def validate(self):
        if self.period < 1:
            raise ConfigError("period", f"must be a positive integer, got {self.period}")
        if self.synapses_per_unit is not None and self.synapses_per_unit < 1:
            raise ConfigError("synapses_per_unit", f"must be a positive integer, got {self.synapses_per_unit}")
        if self.elimination_threshold < 0:
            raise ConfigError("elimination_threshold", f"must be non-negative, got {self.elimination_threshold}")
        _probability("growth_probability", self.growth_probability)
        _positive("growth_weight", self.growth_weight)
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
    """Perturbation learning of the hidden->output synapses (no backprop).

    Parameters
    ----------
    method : {"node", "weight"}
        Perturb the output potentials (node perturbation) or the output
        weights (the paper's weight perturbation).
    learning_rate : float
        Rate at the start of each output phase; it decays linearly to 0.
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
        sees ``(h_j - mean_j) / std_j``, measured over the training images
        once the hidden layer is consolidated. Folded into the saved weights.
    synapse_budget : int, optional
        Output structural plasticity: keep the strongest ``synapse_budget``
        output synapses (by ``|w|``, over the whole layer), then retrain with
        this mask. ``None`` keeps all.
    retrain_epochs : int
        Passes (at the end of training) that retrain the kept output synapses.
    session_scaling : bool
        Synaptic scaling between sessions (continual learning). At the end
        of a session that taught output units never taught before, the
        weights and bias of those units are scaled by one common factor,
        so that their mean weight norm equals that of the units taught in
        earlier sessions. Output units trained in different sessions never
        competed, so their scales drift apart. The factor needs one shared
        set point, the old units' mean norm. This is homeostatic synaptic
        scaling (Turrigiano 2008) in the form of the weight aligning of Zhao
        et al. (CVPR 2020). It has no effect on a single session.
    """

    method: Literal["node", "weight"] = "node"
    learning_rate: float = 0.05
    noise_std: float = 0.3
    n_perturbations: int = 8
    antithetic: bool = True
    hebbian_rate: float = 0.0
    standardize: bool = True
    synapse_budget: Optional[int] = None
    retrain_epochs: int = 0
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
        if self.synapse_budget is not None and self.synapse_budget < 1:
            raise ConfigError("synapse_budget", f"must be a positive integer, got {self.synapse_budget}")
        if self.retrain_epochs < 0:
            raise ConfigError("retrain_epochs", f"must be a non-negative integer, got {self.retrain_epochs}")
        if self.synapse_budget is not None and self.retrain_epochs == 0:
            raise ConfigError("retrain_epochs", "must be positive when synapse_budget is set")


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
