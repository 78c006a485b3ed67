"""neuroplastic: learning MNIST with structural plasticity, measured in bits
per synapse and priced on neuromorphic hardware."""

__version__ = "0.1.0"
