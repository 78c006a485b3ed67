"""The typed model definition: what ``models/*.toml`` files hold."""

from dataclasses import dataclass, field
from typing import Optional

from ..errors import ConfigError
from ..rule.params import RuleParams
from .spiking import SpikingSpec

__all__ = ["ModelInfo", "DataSpec", "NetworkSpec", "TrainingSpec", "HardwareSpec", "ModelDefinition"]


@dataclass(frozen=True)
class ModelInfo:
    """Name and purpose of a model definition."""

    name: str
    description: str = ""

    def validate(self):
        if not self.name.strip():
            raise ConfigError("name", "must not be empty")


@dataclass(frozen=True)
class DataSpec:
    """Which data a model trains on.

    Parameters
    ----------
    dataset : {"mnist", "mnist-sample"}
        Full MNIST (or any IDX folder given with ``--data``), or the bundled
        2,000/1,000-image sample.
    classes : tuple of int, optional
        Train and test on these classes only; all classes if omitted.
    validation_fraction : float
        Share of the training images held out, stratified, for choosing
        hyperparameters. The test set is only for reported figures.
    n_train : int, optional
        Use a stratified, seeded subsample of this many training images.
    """

    dataset: str = "mnist"
    classes: Optional[tuple[int, ...]] = None
    validation_fraction: float = 0.1
    n_train: Optional[int] = None

    def validate(self):
        if self.dataset not in ("mnist", "mnist-sample"):
            raise ConfigError("dataset", f"must be 'mnist' or 'mnist-sample', got {self.dataset!r}")
        if self.classes is not None:
            if len(self.classes) < 2:
                raise ConfigError("classes", f"needs at least two classes, got {list(self.classes)}")
            if len(set(self.classes)) != len(self.classes) or min(self.classes) < 0:
                raise ConfigError("classes", f"must be distinct non-negative labels, got {list(self.classes)}")
        if not 0.0 <= self.validation_fraction < 1.0:
            raise ConfigError("validation_fraction", f"must be in [0, 1), got {self.validation_fraction}")
        if self.n_train is not None and self.n_train <= 0:
            raise ConfigError("n_train", f"must be a positive integer, got {self.n_train}")


@dataclass(frozen=True)
class NetworkSpec:
    """Size and activation of the one-hidden-layer network."""

    n_hidden: int
    activation: str = "triangle"

    def validate(self):
        from ..rule.activations import ACTIVATIONS

        if self.n_hidden <= 0:
            raise ConfigError("n_hidden", f"must be a positive integer, got {self.n_hidden}")
        if self.activation not in ACTIVATIONS:
            raise ConfigError("activation", f"must be one of {', '.join(sorted(ACTIVATIONS))}, got {self.activation!r}")


@dataclass(frozen=True)
class TrainingSpec:
    """How long and in what batches to train, and the seed.

    Each phase of the schedule (:mod:`neuroplastic.rule.schedule`) has its
    own number of passes over the training images.

    Parameters
    ----------
    hidden_epochs : int
        Passes of the hidden phase: the hidden layer develops by growth,
        elimination and instar learning; the readout does not learn yet.
    readout_epochs : int
        Passes of the readout phase: the readout learns by perturbation while
        hidden turnover goes on.
    batch_size : int
        Presentations per vectorized update.
    seed : int
        Seed of every random choice (initial weights, order, rewiring,
        perturbations); the same seed gives the same run.
    checkpoint_every : int
        Presentations between checkpoints of an interrupted-safe run. The
        default, 50,000, is about one pass over MNIST's training split: the
        `mnist` model's state is 5.5 MB, so a 32-pass run writes about 180 MB
        of checkpoints (each replacing the last) rather than 880 MB at
        10,000, and an interruption loses at most one pass.
    """

    hidden_epochs: int = 1
    readout_epochs: int = 20
    batch_size: int = 100
    seed: int = 0
    checkpoint_every: int = 50_000

    @property
    def epochs(self):
        """Passes over the training images in one session (all phases)."""
        return self.hidden_epochs + self.readout_epochs

    def validate(self):
        if self.hidden_epochs < 0:
            raise ConfigError("hidden_epochs", f"must be a non-negative integer, got {self.hidden_epochs}")
        for name in ("readout_epochs", "batch_size", "checkpoint_every"):
            value = getattr(self, name)
            if value <= 0:
                raise ConfigError(name, f"must be a positive integer, got {value}")
        if self.seed < 0:
            raise ConfigError("seed", f"must be a non-negative integer, got {self.seed}")


@dataclass(frozen=True)
class HardwareSpec:
    """The rate code the hardware layer runs a trained network with, unless told otherwise.

    ``neuroplastic energy`` and ``neuroplastic export --format nir`` take
    these from a run folder's model; each bundled model names the code its
    spiking form needs to agree with the engine, chosen on validation.

    Parameters
    ----------
    steps : int
        Time steps each image is shown (at least 8).
    hidden_rate, inhibition_rate : float
        Spikes per step of a hidden neuron and of the inhibitory
        interneuron at the top of their range, in (0, 1] (see
        :func:`neuroplastic.hardware.rate_code.build_plan`).
    """

    steps: int = 128
    hidden_rate: float = 0.25
    inhibition_rate: float = 0.25

    def validate(self):
        if self.steps < 8:
            raise ConfigError("steps", f"must be at least 8, got {self.steps}")
        for name in ("hidden_rate", "inhibition_rate"):
            value = getattr(self, name)
            if not 0 < value <= 1:
                raise ConfigError(name, f"must lie in (0, 1] spikes per step, got {value:g}")


@dataclass(frozen=True)
class ModelDefinition:
    """A whole model: data, network, training schedule, the rule's parameters, spiking inference's timing and the
    hardware layer's rate code."""

    model: ModelInfo
    network: NetworkSpec
    data: DataSpec = field(default_factory=DataSpec)
    training: TrainingSpec = field(default_factory=TrainingSpec)
    rule: RuleParams = field(default_factory=RuleParams)
    spiking: SpikingSpec = field(default_factory=SpikingSpec)
    hardware: HardwareSpec = field(default_factory=HardwareSpec)

    #: Inputs of the bundled data sets (28 x 28 pixels); other IDX folders are checked when training starts.
    MNIST_INPUTS = 784

    def validate(self):
        if self.data.dataset in ("mnist", "mnist-sample"):
            self.rule.check_sizes(self.MNIST_INPUTS, self.network.n_hidden)
