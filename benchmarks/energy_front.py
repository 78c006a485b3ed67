"""Accuracy against Loihi energy per inference: our rule, dense BP and SET, each with its own best spike code. Prints JSON.

Usage (from the project root, with NEUROPLASTIC_DATA pointing at MNIST)::

    python benchmarks/energy_front.py RUN [RUN ...] [--target 0.96] [--out runs/energy-front]
    python benchmarks/energy_front.py RUN --quick --data mnist-sample     # a smoke run on the bundled sample
    python benchmarks/energy_front.py RUN [RUN ...] --points-from runs/energy-front/energy_front.json  # reselect only

On Loihi-style hardware energy is paid per neuron update at every time step
as well as per synaptic event, so the number of steps an image is shown for
(and the spike rate of the hidden units) is part of the operating point.
For every network, every ``--steps`` x ``--rates`` code is rate coded,
simulated (the NumPy simulator, bit-identical to Lava fixed_pt) on the
first ``--val-images`` *validation* images, placed on each profile (every
placement order; the cheapest is kept) and priced. The networks:

- the runs given (our rule; they must share one training/validation split);
- dense BP 784-H-10 for every ``--bp-hidden`` (each H keeps the better of
  20 and 50 epochs on validation);
- SET (sparse evolutionary training, Mocanu et al. 2018) 784-H-10 for every
  ``--set-hidden``.

Selection is on validation only: for each family and profile, the point of
least energy whose validation spiking accuracy reaches ``--target``. The
selected points are then run on the first ``--test-images`` test images,
which give the reported accuracy and energy. The ratio printed is our
selected energy over dense BP's. On ``loihi1`` the selected points also run
in SANA-FE (``--sanafe-images`` test images; its Loihi architecture file,
see :mod:`neuroplastic.hardware.sanafe_bridge`), whose energy is printed
beside ours. The fronts (points no other point of the
family beats on both accuracy and energy) are drawn into ``--figure``.
Every figure printed is measured by this script.
"""

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from neuroplastic.atomic import atomic_write_json
from neuroplastic.config import load_model
from neuroplastic.hardware.evaluate import load_any_network, place_plan, price_network
from neuroplastic.hardware.profiles import load_profile
from neuroplastic.hardware.rate_code import build_plan, classify_counts, simulate
from neuroplastic.runner import prepare_data

PROFILES = ("loihi1", "loihi2")


def run_code(network, calibration, X, *, steps, rate):
    """Rate code ``network`` (thresholds from ``calibration``) and simulate it on ``X``: (plan, counts)."""
    plan = build_plan(network, calibration, steps=steps, weight_bits=8, hidden_rate=rate, inhibition_rate=rate)
    return plan, simulate(plan, X)


def measure_point(network, calibration, X, y, *, steps, rate, profiles, run=None):
    """Spiking accuracy and energy per inference of one network under one rate code.

    Parameters
    ----------
    network : TrainedNetwork
    calibration : numpy.ndarray
        Training images that set the thresholds (labels unused).
    X, y : numpy.ndarray
        Images and labels to run.
    steps : int
        Time steps per image.
    rate : float
        Spikes per step of a hidden neuron (and of the interneuron) at the top of its range.
    profiles : sequence of HardwareProfile (neuromorphic)
    run : (SpikingPlan, dict), optional
        :func:`run_code`'s result for these arguments, if already computed.

    Returns
    -------
    dict
        ``steps``, ``rate``, ``accuracy`` and, per profile, ``energy_uj`` and
        ``latency_us`` of the cheapest placement order, its name, the fill
        order's energy and the fill order's breakdown; ``None`` for a profile
        the network does not fit.
    """
    plan, counts = run or run_code(network, calibration, X, steps=steps, rate=rate)
    predicted = classify_counts(counts["output"], counts["output_last"], plan.classes)
    point = {"steps": int(steps), "rate": float(rate), "accuracy": float(np.mean(predicted == y))}
    priced = price_network(plan, counts, profiles, network)
    for profile in profiles:
        result = priced[profile.name]
        if "error" in result:
            point[profile.name] = None
            continue
        rows = {k: v for k, v in result["placement"].items() if "energy_uj" in v}
        best = min(rows, key=lambda k: rows[k]["energy_uj"])
        point[profile.name] = {"energy_uj": rows[best]["energy_uj"], "latency_us": rows[best]["latency_us"],
                               "placement": best, "fill_energy_uj": result["energy_uj"],
                               "fill_breakdown_uj": result["breakdown_uj"]}
    return point


def sanafe_point(plan, counts, X, *, profile, images):
    """SANA-FE's energy and latency per inference beside ours for one simulated code, on ``X[:images]``.

    Parameters
    ----------
    plan, counts
        :func:`run_code`'s result on ``X``.
    X : numpy.ndarray
    profile : HardwareProfile
    images : int

    Returns
    -------
    dict
        :func:`~neuroplastic.hardware.sanafe_bridge.cross_check`'s result, without the architecture path.
    """
    from neuroplastic.hardware.sanafe_bridge import cross_check

    result = cross_check(plan, counts, X, place_plan(plan, profile), profile, images=images)
    return {k: v for k, v in result.items() if k != "architecture"}


def front(points, profile):
    """The points of ``points`` that no other point beats on both accuracy and ``profile`` energy, by energy."""
    priced = sorted((p for p in points if p.get(profile)), key=lambda p: (p[profile]["energy_uj"], -p["accuracy"]))
    out, best = [], -1.0
    for p in priced:
        if p["accuracy"] > best:
            out.append(p)
            best = p["accuracy"]
    return out


def select(points, profile, target):
    """The point of least ``profile`` energy whose accuracy reaches ``target``, or None."""
    ok = [p for p in points if p.get(profile) and p["accuracy"] >= target]
    return min(ok, key=lambda p: p[profile]["energy_uj"]) if ok else None


def train_set(data, hidden, seed, out, *, epochs=20):
    """Train SET 784-H-10 for each H (saved under ``out``, reused when present); return (name, path) pairs."""
    from neuroplastic.baselines import SparseEvolutionaryClassifier

    nets = []
    for h in hidden:
        path = Path(out) / f"set-784-{h}-10" / "network.npz"
        if not path.exists():
            clf = SparseEvolutionaryClassifier(n_hidden=h, epochs=epochs, random_state=seed)
            clf.fit(data.X_train, data.y_train)
            path.parent.mkdir(parents=True, exist_ok=True)
            clf.to_network().save(path)
            print(f"SET 784-{h}-10: validation {clf.score(data.X_val, data.y_val):.2%}", file=sys.stderr, flush=True)
        nets.append((f"SET 784-{h}-10", path))
    return nets


def _plot(families, figure, target, selected=None):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(PROFILES), figsize=(11, 4.2), sharey=True)
    for ax, profile in zip(axes, PROFILES):
        for (family, points), marker in zip(families.items(), "osd^v"):
            pts = [p for p in points if p.get(profile)]
            if not pts:
                continue
            line = front(pts, profile)
            handle = ax.plot([p[profile]["energy_uj"] for p in line], [100 * p["accuracy"] for p in line],
                             marker=marker, label=family)[0]
            ax.scatter([p[profile]["energy_uj"] for p in pts], [100 * p["accuracy"] for p in pts],
                       s=8, color=handle.get_color(), alpha=0.35)
        for family, choice in (selected or {}).get(profile, {}).items():
            if isinstance(choice, dict) and "sanafe" in choice:
                ax.scatter([choice["sanafe"]["energy_uj"]], [100 * choice["validation_accuracy"]], marker="*", s=120,
                           edgecolor="black", color="white", zorder=5)
                ax.annotate(f"{family}, SANA-FE", (choice["sanafe"]["energy_uj"], 100 * choice["validation_accuracy"]),
                            textcoords="offset points", xytext=(-10, 8), fontsize=7, ha="right")
        ax.axhline(100 * target, color="grey", lw=0.8, ls=":")
        ax.set_xscale("log")
        ax.set_xlabel(f"energy per inference on {profile} (µJ): our event model; stars: SANA-FE")
        ax.set_title(profile)
        ax.set_ylim(90, 99)
    axes[0].set_ylabel("validation accuracy, spiking (%)")
    axes[0].legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    Path(figure).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(figure, dpi=120)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("runs", nargs="+", help="run folders of our rule (with model.toml)")
    parser.add_argument("--target", type=float, default=0.96, help="validation accuracy every selected point reaches")
    parser.add_argument("--steps", type=int, nargs="+", default=[8, 16, 32, 64, 128])
    parser.add_argument("--rates", type=float, nargs="+", default=[0.25, 1.0])
    parser.add_argument("--bp-hidden", type=int, nargs="+", default=[24, 32, 40, 48, 64])
    parser.add_argument("--set-hidden", type=int, nargs="+", default=[64, 128])
    parser.add_argument("--val-images", type=int, default=2000)
    parser.add_argument("--test-images", type=int, default=1000)
    parser.add_argument("--data", default=None, help="IDX folder, or mnist-sample")
    parser.add_argument("--out", default="runs/energy-front", help="folder for the BP and SET networks")
    parser.add_argument("--figure", default=None, help="plot of the fronts (default: OUT/energy_front.png)")
    parser.add_argument("--sanafe-images", type=int, default=100,
                        help="test images the selected loihi1 points run in SANA-FE (0: none)")
    parser.add_argument("--points-from", default=None,
                        help="energy_front.json of an earlier run: reuse its validation points, select and test again")
    parser.add_argument("--quick", action="store_true", help="two codes, one small BP and SET network")
    args = parser.parse_args()
    if args.quick:
        args.steps, args.rates, args.bp_hidden, args.set_hidden = [8, 16], [1.0], [8], [8]
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from energy_matched import train_dense

    start = time.perf_counter()
    model = load_model(Path(args.runs[0]) / "model.toml")
    data = prepare_data(model, args.data)
    seed = model.training.seed
    split = {"seed": seed, "validation_fraction": model.data.validation_fraction, "n_train": model.data.n_train}
    networks = {}
    if not args.points_from:
        epochs = [2] if args.quick else [20, 50]
        dense = train_dense(data, sorted(args.bp_hidden), epochs, seed, split, args.out)
        networks = {"our rule": [(Path(r).name, Path(r)) for r in args.runs],
                    "dense BP": [(f"BP 784-{row['hidden']}-10", Path(row["path"])) for row in dense],
                    "SET": train_set(data, args.set_hidden, seed, args.out, epochs=2 if args.quick else 20)}
    profiles = [load_profile(name) for name in PROFILES]
    calibration = data.X_train[:2000]
    Xv, yv = data.X_val[:args.val_images], data.y_val[:args.val_images]
    Xt, yt = data.X_test[:args.test_images], data.y_test[:args.test_images]
    families = {}
    if args.points_from:  # the same networks' validation points, measured by an earlier run
        families = json.loads(Path(args.points_from).read_text(encoding="utf-8"))["points"]
        every = [p for points in families.values() for p in points]
        args.steps = sorted({p["steps"] for p in every})
        args.rates = sorted({p["rate"] for p in every})
    for family, entries in networks.items():
        families[family] = []
        for name, path in entries:
            net = load_any_network(path)
            float_accuracy = float(np.mean(net.predict(Xv) == yv))
            for steps in args.steps:
                for rate in args.rates:
                    point = measure_point(net, calibration, Xv, yv, steps=steps, rate=rate, profiles=profiles)
                    point.update(network=name, path=str(path), float_accuracy=float_accuracy,
                                 synapses=int(net.hidden_weights.nnz + net.output_weights.nnz),
                                 n_hidden=int(net.hidden_weights.shape[0]))
                    families[family].append(point)
                    print(f"{name}: {steps} steps, rate {rate}: validation {point['accuracy']:.2%}",
                          file=sys.stderr, flush=True)
    selected, test_runs = {}, {}
    for profile in profiles:
        selected[profile.name] = {}
        for family, points in families.items():
            choice = select(points, profile.name, args.target)
            if choice is None:
                selected[profile.name][family] = None
                continue
            net = load_any_network(choice["path"])
            key = (choice["path"], choice["steps"], choice["rate"])  # the same choice on several profiles runs once
            if key not in test_runs:
                test_runs[key] = run_code(net, calibration, Xt, steps=choice["steps"], rate=choice["rate"])
            test = measure_point(net, calibration, Xt, yt, steps=choice["steps"], rate=choice["rate"],
                                 profiles=[profile], run=test_runs[key])
            selected[profile.name][family] = {
                "network": choice["network"], "steps": choice["steps"], "rate": choice["rate"],
                "validation_accuracy": choice["accuracy"], "validation_energy_uj": choice[profile.name]["energy_uj"],
                "test_accuracy": test["accuracy"], "test_energy_uj": test[profile.name]["energy_uj"],
                "test_latency_us": test[profile.name]["latency_us"], "placement": test[profile.name]["placement"],
                "test_fill_breakdown_uj": test[profile.name]["fill_breakdown_uj"]}
            if profile.name == "loihi1" and args.sanafe_images > 0:
                plan, counts = test_runs[key]
                selected[profile.name][family]["sanafe"] = sanafe_point(plan, counts, Xt, profile=profile,
                                                                        images=args.sanafe_images)
        ours, bp = selected[profile.name].get("our rule"), selected[profile.name].get("dense BP")
        selected[profile.name]["energy_ratio_ours_to_dense_bp"] = (
            ours["test_energy_uj"] / bp["test_energy_uj"] if ours and bp else None)
        if ours and bp and "sanafe" in ours and "sanafe" in bp:
            selected[profile.name]["sanafe_energy_ratio_ours_to_dense_bp"] = (
                ours["sanafe"]["energy_uj"] / bp["sanafe"]["energy_uj"])
    figure = Path(args.figure) if args.figure else Path(args.out) / "energy_front.png"
    _plot(families, figure, args.target, selected)
    summary = {"target_validation_accuracy": args.target, "validation_images": len(Xv), "test_images": len(Xt),
               "steps": args.steps, "rates": args.rates, "selected": selected,
               "fronts": {p: {f: [{k: q[k] for k in ("network", "steps", "rate", "accuracy")}
                                  | {"energy_uj": q[p]["energy_uj"]} for q in front(pts, p)]
                              for f, pts in families.items()} for p in PROFILES},
               "points": families, "figure": str(figure), "wall_time_s": round(time.perf_counter() - start, 1)}
    atomic_write_json(Path(args.out) / "energy_front.json", summary)
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
