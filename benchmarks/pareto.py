"""Our accuracy-synapse front on full MNIST, beside the dense-backprop table.

Usage (from the project root, with NEUROPLASTIC_DATA pointing at MNIST)::

    .venv/bin/python benchmarks/pareto.py

Each point is ``models/mnist_sparse.toml`` with the hidden size, the per-unit
synapse budget and the readout budget changed; total synapses count both
layers (non-silent input->hidden plus hidden->output), as the dense-BP table
does. Prints JSON: our points and the reference dense-BP points.
"""

import json
import sys
import tempfile
from pathlib import Path

from neuroplastic.config import load_model
from neuroplastic.config.overrides import apply_dotted
from neuroplastic.runner import train_model

#: (hidden units, synapses per hidden unit, readout synapses): about 10k to 100k synapses in total.
POINTS = [(1500, 4, 4000), (2000, 5, 6000), (3000, 8, 10000), (4000, 10, 20000), (6000, 12, 28000)]

#: Dense backprop, scikit-learn MLPClassifier (one hidden layer, Adam, 20 epochs), measured on this
#: 2-core machine (DESIGN.md section 5): (hidden, test accuracy, synapses of both layers).
DENSE_BP = [(16, 0.9485, 12704), (32, 0.9700, 25408), (50, 0.9751, 39700), (100, 0.9771, 79400), (800, 0.9855, 635200)]


def main(argv):
    base = load_model(argv[0] if argv else "models/mnist_sparse.toml")
    ours = []
    with tempfile.TemporaryDirectory() as scratch:
        for n_hidden, per_unit, readout in POINTS:
            model = apply_dotted(base, {"network.n_hidden": n_hidden, "rule.rewiring.synapses_per_unit": per_unit,
                                        "rule.output.synapse_budget": readout})
            _, metrics = train_model(model, out=Path(scratch) / f"h{n_hidden}")
            ours.append({"hidden": n_hidden, "synapses_per_unit": per_unit, "readout_budget": readout,
                         "test_accuracy": metrics["test_accuracy"],
                         "validation_accuracy": metrics["validation_accuracy"],
                         "synapses": metrics["nonsilent_synapses"]["total"],
                         "train_seconds": metrics["train_seconds"]})
            print(json.dumps(ours[-1]), file=sys.stderr)
    dense = [{"hidden": h, "test_accuracy": a, "synapses": s} for h, a, s in DENSE_BP]
    print(json.dumps({"structural_plasticity": ours, "dense_bp_reference": dense}, indent=2))


if __name__ == "__main__":
    main(sys.argv[1:])
