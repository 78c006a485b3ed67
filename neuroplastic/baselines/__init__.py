"""Backpropagation baselines in JAX + optax, with the face of the rule's learner.

Every baseline is an estimator with scikit-learn conventions (keyword-only
hyperparameters, ``fit`` returns ``self``, ``predict``, ``score``,
``random_state``, learned state ending in ``_``) and hands over the same
saved-network format as the rule through ``to_network()``.

- :class:`BackpropClassifier`: dense BP, cross-entropy, Adam.
- :class:`ConstrainedBackpropClassifier`: non-negative weights and an L1
  sparsity penalty (Chorowski & Zurada 2015).
- :class:`PrunedBackpropClassifier`: magnitude pruning with retraining to a
  target sparsity (Han et al. 2015).
- :class:`SparseEvolutionaryClassifier`: SET, sparse from the start with
  rewiring after every epoch (Mocanu et al. 2018).
- :class:`DeepRewiringClassifier`: DEEP R, a fixed budget of connections
  with fixed signs, rewired stochastically after every step (Bellec et al. 2018).
"""

from ..optional import require

require("jax", "the backprop baselines")
require("optax", "the backprop baselines")

from .backprop import BackpropClassifier, ConstrainedBackpropClassifier  # noqa: E402 (after the check)
from .deep_rewiring import DeepRewiringClassifier  # noqa: E402
from .estimator import BaselineClassifier  # noqa: E402
from .pruning import PrunedBackpropClassifier  # noqa: E402
from .sparse_evolutionary import SparseEvolutionaryClassifier  # noqa: E402

__all__ = [
    "BASELINES",
    "BackpropClassifier",
    "BaselineClassifier",
    "ConstrainedBackpropClassifier",
    "DeepRewiringClassifier",
    "PrunedBackpropClassifier",
    "SparseEvolutionaryClassifier",
]

#: The baselines by their method name (as in the compare table).
BASELINES = {
    cls.method: cls
    for cls in (BackpropClassifier, ConstrainedBackpropClassifier, PrunedBackpropClassifier,
                SparseEvolutionaryClassifier, DeepRewiringClassifier)
}
