"""Dense backpropagation and backpropagation with non-negative, sparse weights."""

from ..errors import ConfigError
from .estimator import BaselineClassifier
from .mlp import dense_masks, init_params

__all__ = ["BackpropClassifier", "ConstrainedBackpropClassifier"]


class BackpropClassifier(BaselineClassifier):
    """One hidden layer trained by backpropagation: cross-entropy, Adam, minibatches.

    Parameters
    ----------
    n_hidden : int
        Hidden units.
    activation : {"relu", "sigmoid"}
        Hidden activation.
    epochs : int
        Passes over the training set.
    batch_size : int
        Images per Adam step.
    learning_rate : float
        Adam step size.
    random_state : int or None
        Seed of the initial weights and the minibatch order.

    Attributes
    ----------
    params_ : dict of numpy.ndarray
        ``W1`` (n_inputs, n_hidden), ``b1``, ``W2`` (n_hidden, n_classes), ``b2``.
    masks_ : dict of numpy.ndarray
        Which synapses exist (all, for dense BP).
    classes_ : numpy.ndarray
    history_ : list of dict
        Mean training loss per epoch.
    fit_time_s_ : float
    """

    method = "bp"

    def __init__(self, *, n_hidden=100, activation="relu", epochs=20, batch_size=128, learning_rate=1e-3,
                 random_state=None):
        self.n_hidden = n_hidden
        self.activation = activation
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.random_state = random_state

    def _train(self, X, y, rng, key):
        params = init_params(key, X.shape[1], self.n_hidden, self.classes_.size)
        return self._run_epochs(params, dense_masks(params), X, y, rng, epochs=self.epochs)


class ConstrainedBackpropClassifier(BaselineClassifier):
    """Backpropagation with non-negative weights and a sparsity penalty.

    After Chorowski & Zurada (2015), "Learning understandable neural networks
    with nonnegative weight constraints", IEEE TNNLS 26(1): weights are kept
    non-negative, which with an L1 penalty drives many of them to exactly zero
    (silent synapses). Biases are free.

    Parameters
    ----------
    n_hidden, activation, epochs, batch_size, learning_rate, random_state
        As for :class:`BackpropClassifier`; the activation defaults to the
        sigmoid, as in Chorowski & Zurada (with non-negative weights, ReLU
        units are almost always on and the representation nearly linear).
    l1 : float
        Weight of the L1 penalty ``l1 * sum|w|`` added to the mean
        cross-entropy (the sparsity pressure).
    constrain_output : bool
        Also keep the hidden-to-output weights non-negative.

    Notes
    -----
    The constraint is enforced by projection, ``w <- max(w, 0)`` after every
    Adam step, so the non-negativity is exact; Chorowski & Zurada use the
    penalty ``alpha/2 * sum(min(w, 0)^2)``, whose limit of large ``alpha``
    this is.
    """

    method = "constrained_bp"

    def __init__(self, *, n_hidden=100, activation="sigmoid", epochs=20, batch_size=128, learning_rate=1e-3,
                 l1=1e-5, constrain_output=True, random_state=None):
        self.n_hidden = n_hidden
        self.activation = activation
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.l1 = l1
        self.constrain_output = constrain_output
        self.random_state = random_state

    def _train(self, X, y, rng, key):
        if self.l1 < 0:
            raise ConfigError("l1", f"must be non-negative, got {self.l1}")
        constrained = ("W1", "W2") if self.constrain_output else ("W1",)
        params = init_params(key, X.shape[1], self.n_hidden, self.classes_.size, non_negative=constrained)
        return self._run_epochs(params, dense_masks(params), X, y, rng, epochs=self.epochs, l1=float(self.l1),
                                non_negative=constrained)
