"""Speed of the rule against dense backprop of the same accuracy, measured side by side.

For each bundled model it:

  1. trains the model (``neuroplastic train``, in a child process) and records
     its training time (the run's own ``train_seconds``: the fit, without
     loading data or writing the report), the whole command's wall time, the
     peak RSS the run records (training and scoring, before the report), and
     the validation and test accuracy;
  2. trains dense BP 784-H-10 (the project's JAX baseline) for each width H of
     ``--bp-widths`` on the same training split, and takes the narrowest whose
     *validation* accuracy reaches the model's: "dense BP of matched
     validation accuracy";
  3. measures the wall time of dense BP 784-100-10 until its test accuracy
     reaches the model's test accuracy (the speed bar of the structural issue);
     if it never does within ``--bp-max-epochs``, the same for the matched
     width of step 2 (``training_ratio_bp_width`` says which width the
     training ratio is against);
  4. measures inference throughput (images per second) of the trained network,
     with the compiled kernel and with the NumPy path, and of the matched dense
     BP network as a float32 NumPy forward pass, at batch 1 and batch 1,000,
     with 1 and 2 threads (each thread count in its own child process, so
     that BLAS and Numba start with that many threads);
  5. checks that the compiled and NumPy paths predict the same label for every
     test image.

It prints one JSON document with the measured figures and their ratios
(absolute times on a shared machine are noisy; ratios from one run less so).

Usage::

    NEUROPLASTIC_DATA=DIR python benchmarks/speed.py --models mnist_sparse mnist > speed.json

``--keep-runs DIR`` keeps the trained run folders; ``--runs NAME=RUN ...``
takes an earlier run folder of a model instead of training it (its training
figures then come from the run's ``metrics.json``, and the JSON says so).

``--scaling`` instead times one hidden pass plus one readout pass over
``--scaling-images`` training images, and inference over the test set, for
1,000 to 50,000 hidden units at 16 synapses per unit, each size in a fresh
process, fits the exponent of time against synapses, and with ``--figure``
draws it.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "models"
BATCHES = (1, 1000)


# -- child process: inference throughput with a fixed number of threads -------------------------------------------
def _images_per_second(predict, X, batch, min_seconds=1.0, max_images=None):
    """Throughput of ``predict`` on consecutive batches of ``X``, best of three timed rounds."""
    n = X.shape[0] if max_images is None else min(X.shape[0], max_images)
    predict(X[:batch])  # compile and warm caches
    best = 0.0
    for _ in range(3):
        done, started = 0, time.perf_counter()
        while True:
            for start in range(0, n, batch):
                predict(X[start:start + batch])
                done += min(batch, n - start)
            elapsed = time.perf_counter() - started
            if elapsed >= min_seconds:
                break
        best = max(best, done / elapsed)
    return best


def dense_forward(weights):
    """A float32 NumPy forward pass of a dense 784-H-10 network (what a user of BP would run)."""
    W1, b1, W2, b2 = (np.asarray(weights[k], dtype=np.float32) for k in ("W1", "b1", "W2", "b2"))
    relu = str(weights["activation"]) == "relu"

    def predict(X):
        h = X @ W1
        h += b1
        if relu:
            np.maximum(h, 0.0, out=h)
        else:
            h = 1.0 / (1.0 + np.exp(-h))
        return np.argmax(h @ W2 + b2, axis=1)

    return predict


def inference_child(args):
    from neuroplastic.network import load_network
    from neuroplastic.runner import prepare_data

    X = np.ascontiguousarray(prepare_data(_load(args.model)).X_test, dtype=np.float32)
    network = load_network(args.network)
    dense = dense_forward(np.load(args.dense))
    result = {"threads": args.threads}
    for batch in BATCHES:
        cap = 2000 if batch == 1 else None
        result[f"batch_{batch}"] = {
            "rule_compiled": _images_per_second(lambda x: network.predict(x, backend="numba"), X, batch,
                                                args.min_seconds, cap),
            "rule_numpy": _images_per_second(lambda x: network.predict(x, backend="numpy"), X, batch,
                                             args.min_seconds, cap),
            "dense_bp": _images_per_second(dense, X, batch, args.min_seconds, cap),
        }
    print(json.dumps(result))


def measure_inference(model_path, network_path, dense_path, threads, min_seconds):
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads),
               MKL_NUM_THREADS=str(threads), NUMBA_NUM_THREADS=str(threads),
               XLA_FLAGS="--xla_cpu_multi_thread_eigen=false")
    out = subprocess.run([sys.executable, __file__, "--inference-child", "--models", str(model_path),
                          "--network", str(network_path), "--dense", str(dense_path), "--threads", str(threads),
                          "--min-seconds", str(min_seconds)],
                         env=env, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


# -- training ---------------------------------------------------------------------------------------------------
def _model_path(name):
    """A bundled model's file for a bare name, else the path given."""
    path = MODELS / f"{name}.toml"
    return path if path.exists() else Path(name)


def _load(name):
    from neuroplastic.config import load_model

    return load_model(_model_path(name))


def train_model(name, out):
    """Train a model with the CLI in a child process; wall time, and the peak RSS the run records itself.

    The run's own figure (``VmHWM``, :func:`neuroplastic.runner.peak_rss_mb`), not ``wait4``'s ``ru_maxrss``,
    which includes this process's high-water mark: the child starts from it.
    """
    started = time.perf_counter()
    status = subprocess.run([sys.executable, "-m", "neuroplastic", "train", "--model", str(_model_path(name)),
                             "--out", str(out), "--quiet"], stdout=subprocess.DEVNULL).returncode
    seconds = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"speed: training {name} failed with status {status}")
    metrics = json.loads((out / "metrics.json").read_text())
    return {"train_seconds": metrics["train_seconds"], "cli_wall_seconds": seconds,
            "peak_rss_mb": metrics["peak_rss_mb"],
            "val": metrics["validation_accuracy"], "test": metrics["test_accuracy"],
            "network": str(out / "network.npz")}


def from_run(folder):
    """A finished run of ``neuroplastic train`` instead of a new training: its own recorded figures."""
    folder = Path(folder)
    metrics = json.loads((folder / "metrics.json").read_text())
    return {"train_seconds": metrics["train_seconds"], "cli_wall_seconds": None,
            "peak_rss_mb": metrics.get("peak_rss_mb"), "val": metrics["validation_accuracy"],
            "test": metrics["test_accuracy"], "network": str(folder / "network.npz"),
            "trained": "earlier run; training figures from its metrics.json"}


def matched_dense_bp(data, target_val, widths, epochs, seed, cache):
    """The narrowest dense BP 784-H-10 whose validation accuracy reaches ``target_val``."""
    from neuroplastic.baselines import BackpropClassifier

    tried = []
    for width in widths:
        if width not in cache:
            clf = BackpropClassifier(n_hidden=width, epochs=epochs, random_state=seed)
            started = time.perf_counter()
            clf.fit(data.X_train, data.y_train)
            cache[width] = (clf, time.perf_counter() - started)
        clf, seconds = cache[width]
        row = {"n_hidden": width, "val": clf.score(data.X_val, data.y_val), "seconds": seconds}
        tried.append(row)
        if row["val"] >= target_val:
            return clf, row, tried
    return None, None, tried


def _split_key(model):
    """Models with the same data section and seed share their training split, hence their dense BP fits."""
    return (model.data.dataset, model.data.n_train, model.data.validation_fraction, model.training.seed)


def save_dense(clf, path):
    p, m = clf.params_, clf.masks_
    np.savez(path, W1=np.asarray(p["W1"] * m["W1"]), b1=np.asarray(p["b1"]), W2=np.asarray(p["W2"] * m["W2"]),
             b2=np.asarray(p["b2"]), activation=clf.activation)


def compare_model(name, args, workdir, bp_cache):
    from neuroplastic.experiments.bp_timing import bp_time_to_accuracy
    from neuroplastic.network import load_network
    from neuroplastic.runner import prepare_data

    model_path = _model_path(name)
    model = _load(name)
    name = model.model.name
    data = prepare_data(model)
    if name in args.runs:
        rule = from_run(args.runs[name])
    else:
        print(f"speed: training {name}", file=sys.stderr)
        rule = train_model(model_path, workdir / name)
    print(f"speed: {name} trained in {rule['train_seconds']:.0f} s; dense BP widths", file=sys.stderr)
    clf, matched, tried = matched_dense_bp(data, rule["val"], args.bp_widths, args.bp_epochs, model.training.seed,
                                           bp_cache.setdefault(_split_key(model), {}))
    entry = {"model": name, "rule": rule, "dense_bp_widths_tried": tried, "matched_dense_bp": matched}
    print(f"speed: {name} BP time to {rule['test']:.4f}", file=sys.stderr)
    timing = bp_time_to_accuracy(data, rule["test"], model.training.seed, max_epochs=args.bp_max_epochs)
    entry["dense_bp_784_100_10_to_test_accuracy"] = timing
    if timing["seconds_to_target"] is None and matched is not None and matched["n_hidden"] != 100:
        print(f"speed: 784-100-10 did not reach it; BP 784-{matched['n_hidden']}-10", file=sys.stderr)
        timing = bp_time_to_accuracy(data, rule["test"], model.training.seed, max_epochs=args.bp_max_epochs,
                                     n_hidden=matched["n_hidden"])
        entry["dense_bp_matched_width_to_test_accuracy"] = timing
    if timing["seconds_to_target"]:
        entry["training_ratio_bp_width"] = timing["n_hidden"]
        entry["training_ratio_rule_to_bp"] = rule["train_seconds"] / timing["seconds_to_target"]
        entry["training_ratio_rule_to_bp_without_compilation"] = (
            rule["train_seconds"] / timing["seconds_to_target_without_compilation"])
    network_path = rule["network"]
    network = load_network(network_path)
    rule["network"] = Path(rule["network"]).parent.name  # the run's folder name, not a path of this machine
    X_test = np.ascontiguousarray(data.X_test, dtype=np.float32)
    compiled, reference = network.predict(X_test, backend="numba"), network.predict(X_test, backend="numpy")
    entry["predictions_differing_compiled_vs_numpy"] = int(np.sum(compiled != reference))
    entry["test_images_compared"] = int(X_test.shape[0])
    if clf is None:
        entry["inference"] = "no dense BP width reached the model's validation accuracy"
        return entry
    dense_path = workdir / f"{name}_dense_bp.npz"
    save_dense(clf, dense_path)
    entry["inference"] = []
    for threads in args.threads:
        print(f"speed: {name} inference, {threads} thread(s)", file=sys.stderr)
        row = measure_inference(model_path, network_path, dense_path, threads, args.min_seconds)
        for batch in BATCHES:
            b = row[f"batch_{batch}"]
            b["ratio_compiled_to_dense_bp"] = b["rule_compiled"] / b["dense_bp"]
            b["ratio_numpy_to_dense_bp"] = b["rule_numpy"] / b["dense_bp"]
        entry["inference"].append(row)
    return entry


# -- scaling ------------------------------------------------------------------------------------------------------
def scaling_child(args):
    """Train and time one network size (``--scaling-units``' first value) in this process; print its row."""
    from neuroplastic.config import load_model
    from neuroplastic.engines import make_learner
    from neuroplastic.runner import prepare_data

    n_hidden = args.scaling_units[0]
    base = load_model(MODELS / "mnist_sparse.toml")
    data = prepare_data(base)
    X, y = data.X_train[:args.scaling_images], data.y_train[:args.scaling_images]
    X_test = np.ascontiguousarray(data.X_test, dtype=np.float32)
    model = _with(base, n_hidden=n_hidden, synapses=16, output=max(1, n_hidden // 10))
    learner = make_learner(model)
    started = time.perf_counter()
    learner.fit(X, y)
    train_seconds = time.perf_counter() - started
    network = learner.to_network()
    network.predict(X_test[:200])
    started = time.perf_counter()
    network.predict(X_test)
    infer_seconds = time.perf_counter() - started
    print(json.dumps({"n_hidden": n_hidden, "synapses": network.n_nonsilent["total"], "train_seconds": train_seconds,
                      "inference_seconds": infer_seconds, "test_images": int(X_test.shape[0]),
                      "training_images": int(X.shape[0])}))


def scaling(args):
    """Every size in a fresh process, as a user trains one model per run, so that no size inherits another's
    memory. (Fresh processes still vary: 20,000 units took 7.4 to 11.5 s in five of them on 2026-12-02.)"""
    rows = []
    for n_hidden in args.scaling_units:
        out = subprocess.run([sys.executable, __file__, "--scaling-child", "--scaling-units", str(n_hidden),
                              "--scaling-images", str(args.scaling_images)],
                             check=True, capture_output=True, text=True)
        row = json.loads(out.stdout.strip().splitlines()[-1])
        n_images, test_images = row.pop("training_images"), row.pop("test_images")
        rows.append(row)
        print(f"speed: scaling {n_hidden} units: {json.dumps(row)}", file=sys.stderr)
    s = np.log([r["synapses"] for r in rows])
    fit = {key: float(np.polyfit(s, np.log([r[key] for r in rows]), 1)[0])
           for key in ("train_seconds", "inference_seconds")}
    out = {"benchmark": "speed-scaling", "date": time.strftime("%Y-%m-%d"), "images_per_training_run": n_images,
           "training_run": "one hidden pass and one readout pass, each size in a fresh process",
           "synapses_per_hidden_unit": 16, "test_images": test_images, "rows": rows, "fitted_exponent": fit}
    if args.figure:
        _plot_scaling(rows, fit, args.figure)
        out["figure"] = Path(args.figure).name
    return out


def _with(model, *, n_hidden, synapses, output):
    import dataclasses

    rule = model.rule
    rewiring = dataclasses.replace(rule.rewiring, max_synapses_per_unit=synapses, synapses_per_unit=synapses)
    out = dataclasses.replace(rule.output, synapses_per_unit=output)
    rule = dataclasses.replace(rule, rewiring=rewiring, output=out)
    return dataclasses.replace(model, rule=rule, network=dataclasses.replace(model.network, n_hidden=n_hidden),
                               training=dataclasses.replace(model.training, hidden_epochs=1, readout_epochs=1))


def _plot_scaling(rows, fit, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    synapses = [r["synapses"] for r in rows]
    fig, ax = plt.subplots(figsize=(5.5, 4))
    for key, label in (("train_seconds", "training (1 hidden + 1 readout pass)"),
                       ("inference_seconds", "inference (10,000 test images)")):
        ax.loglog(synapses, [r[key] for r in rows], "o-", label=f"{label}: exponent {fit[key]:.2f}")
    ax.set_xlabel("synapses (16 per hidden unit, plus the readout)")
    ax.set_ylabel("seconds")
    ax.legend(fontsize=8)
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=["mnist_sparse", "mnist"],
                        help="bundled model names or model files (default: mnist_sparse mnist)")
    parser.add_argument("--bp-widths", nargs="+", type=int, default=[16, 24, 32, 48, 64, 96, 128, 192, 256, 384])
    parser.add_argument("--bp-epochs", type=int, default=10, help="epochs of each dense BP width (default 10)")
    parser.add_argument("--bp-max-epochs", type=int, default=30,
                        help="epoch cap of BP 784-100-10 when timing it to the model's accuracy")
    parser.add_argument("--threads", nargs="+", type=int, default=[1, 2])
    parser.add_argument("--min-seconds", type=float, default=1.0,
                        help="each throughput is the best of three rounds of at least this long (default 1)")
    parser.add_argument("--scaling", action="store_true", help="time training and inference against network size")
    parser.add_argument("--scaling-units", nargs="+", type=int, default=[1000, 2000, 5000, 10000, 20000, 50000])
    parser.add_argument("--scaling-images", type=int, default=10000)
    parser.add_argument("--figure", help="where --scaling draws its plot")
    parser.add_argument("--keep-runs", metavar="DIR",
                        help="write the trained runs into DIR (default: a temporary folder)")
    parser.add_argument("--runs", nargs="+", default=[], metavar="NAME=RUN",
                        help="use an earlier run folder of model NAME instead of training it")
    parser.add_argument("--inference-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--scaling-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--network", help=argparse.SUPPRESS)
    parser.add_argument("--dense", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.inference_child:
        args.threads, args.model = args.threads[0], args.models[0]
        return inference_child(args)
    if args.scaling_child:
        return scaling_child(args)
    if args.scaling:
        print(json.dumps(scaling(args), indent=1))
        return
    args.runs = dict(item.split("=", 1) for item in args.runs)
    results, bp_cache = {}, {}
    with tempfile.TemporaryDirectory(prefix="neuroplastic-speed-") as tmp:
        workdir = Path(args.keep_runs) if args.keep_runs else Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        for name in args.models:
            entry = compare_model(name, args, workdir, bp_cache)
            results[entry["model"]] = entry
    print(json.dumps({"benchmark": "speed", "date": time.strftime("%Y-%m-%d"), "cpu_count": os.cpu_count(),
                      "load_average_at_end": os.getloadavg(),
                      "data": "full MNIST; each model's stratified validation split; 10,000 test images",
                      "bp_epochs": args.bp_epochs, "results": results}, indent=1))


if __name__ == "__main__":
    main()
