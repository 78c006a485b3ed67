"""Export a run's spiking network as NIR, read the file back and run it: does it count as the simulator? Prints JSON.

The NIR round trip of a trained network, on real images: ``export_nir``
writes the file (timed), ``nir.read`` reads it, and
:func:`~neuroplastic.hardware.nir_export.run_nir` interprets the graph on
the first ``--images`` images of the split. The package's simulator runs
the same plan (binary spikes: a squared activation through counter
neurons, as in the graph). Reported: export time, file size, node count,
whether the output spike counts and the predictions are equal, and the
agreement of both with the engine.

Usage::

    NEUROPLASTIC_DATA=DIR python benchmarks/nir_roundtrip.py RUN --images 1000
"""

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np

from neuroplastic.hardware.evaluate import load_for_evaluation, plan_for, rate_code_of
from neuroplastic.hardware.nir_export import export_nir, run_nir
from neuroplastic.hardware.profiles import load_profile
from neuroplastic.hardware.rate_code import classify_counts, encoder_spikes, simulate


def main(argv=None):
    import nir

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("run", help="run folder (or saved network .npz)")
    parser.add_argument("--images", type=int, default=1000)
    parser.add_argument("--split", choices=("test", "validation"), default="test")
    parser.add_argument("--profile", default="loihi2", help="weight precision of the plan (default loihi2)")
    parser.add_argument("--steps", type=int, help="time steps per image (default: the run's model's [hardware] table)")
    parser.add_argument("--hidden-rate", type=float, help="(default: the run's model's [hardware] table)")
    parser.add_argument("--inhibition-rate", type=float, help="(default: the run's model's [hardware] table)")
    parser.add_argument("--data-dir", default=None)
    args = parser.parse_args(argv)
    # The code `neuroplastic export` and `energy` use: each value given, else the run's own.
    steps, hidden_rate, inhibition_rate = rate_code_of(args.run, args.steps, args.hidden_rate, args.inhibition_rate)
    settings = dict(steps=steps, hidden_rate=hidden_rate, inhibition_rate=inhibition_rate)
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "network.nir"
        start = time.perf_counter()
        export_nir(args.run, out, profile=args.profile, data_dir=args.data_dir, **settings)
        export_s = time.perf_counter() - start
        size = out.stat().st_size
        graph = nir.read(out)
    network, X_eval, _, X_train = load_for_evaluation(args.run, args.data_dir, split=args.split)
    X = X_eval[:args.images]
    plan = plan_for(network, X_train[:2000], load_profile(args.profile), **settings)
    start = time.perf_counter()
    ran = run_nir(graph, encoder_spikes(X, plan.steps, plan.slot), len(X))
    nir_s = time.perf_counter() - start
    ours = simulate(plan, X, binary=True)
    engine = network.predict(X)
    theirs_pred = classify_counts(ran["counts"], ran["last"], plan.classes)
    ours_pred = classify_counts(ours["output"], ours["output_last"], plan.classes)
    print(json.dumps({
        "benchmark": "nir-roundtrip", "run": str(args.run), "split": args.split, "images": len(X),
        "profile": args.profile, **settings, "counters": int(ours.get("counters", np.zeros((0, 1))).shape[0]),
        "export_s": export_s, "file_bytes": size, "nodes": len(graph.nodes), "run_nir_s": nir_s,
        "output_counts_equal": bool(np.array_equal(ran["counts"], ours["output"])),
        "predictions_equal": bool(np.array_equal(theirs_pred, ours_pred)),
        "agreement_nir": float(np.mean(theirs_pred == engine)),
        "agreement_simulator": float(np.mean(ours_pred == engine)),
    }, indent=1))


if __name__ == "__main__":
    main()
