"""Train each model definition on full MNIST and print the acceptance figures as JSON.

Usage (from the project root, with NEUROPLASTIC_DATA pointing at MNIST)::

    .venv/bin/python benchmarks/train_mnist.py [models/mnist.toml models/mnist_sparse.toml models/mnist_lowpower.toml models/paper_126.toml]

Each model trains in its own process (``neuroplastic train``), so the peak
resident memory is that model's alone. Prints one JSON object per model:
accuracy, non-silent synapses per layer and in total, wall time, peak RSS.
"""

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MODELS = ["models/mnist.toml", "models/mnist_sparse.toml", "models/mnist_lowpower.toml", "models/paper_126.toml"]


def measure(model, out):
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "neuroplastic", "train", "--model", model, "--out", str(out), "--quiet"],
                   check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    metrics = json.loads((Path(out) / "metrics.json").read_text())
    return {
        "model": model,
        "test_accuracy": metrics["test_accuracy"],
        "validation_accuracy": metrics["validation_accuracy"],
        "nonsilent_hidden": metrics["nonsilent_synapses"]["hidden"],
        "nonsilent_output": metrics["nonsilent_synapses"]["output"],
        "nonsilent_total": metrics["nonsilent_synapses"]["total"],
        "nonsilent_fraction_hidden": metrics["nonsilent_fraction_hidden"],
        "train_seconds": metrics["train_seconds"],
        "wall_seconds_incl_data_and_report": wall,
        "peak_rss_mb": metrics["peak_rss_mb"],
        "n_train": metrics["data"]["n_train_used"],
        "n_test": metrics["data"]["n_test"],
    }


def main(argv):
    models = argv or MODELS
    with tempfile.TemporaryDirectory() as scratch:
        results = [measure(model, Path(scratch) / Path(model).stem) for model in models]
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main(sys.argv[1:])
