"""How well the hardware's linearised Euclidean triangle agrees with the engine, by per-image gain. Prints JSON.

Integrate-and-fire neurons compute the Euclidean triangle only through a
per-image linearisation (:mod:`neuroplastic.hardware.linear_form`): the
hidden drive is divided by the image's mean distance ``m``, which the
hardware cannot compute, so the output bias is multiplied by ``m``
instead, and ``m`` is fitted over calibration images as
``alpha + beta * sum x`` (one relay neuron counting input spikes). This
script measures, in floating point and with no rate code, the agreement of
that form with the engine under several estimates of ``m``:

- ``as_built``: the gain the hardware layer builds;
- ``linear``: one relay's ``alpha + beta * sum x``;
- ``linear_and_hinge_qNN``: the same plus ``gamma * max(0, sum x - t)``,
  a second relay that counts only the input above the knot ``t`` (the
  NN-th percentile of ``sum x`` over the calibration images), all three
  coefficients fitted by least squares on the calibration images; the
  hardware layer builds the knot at
  :data:`~neuroplastic.hardware.linear_form.HINGE_PERCENTILE`;
- ``exact``: the true mean distance of each image (not computable by the
  hardware; the form's own ceiling).

Usage::

    NEUROPLASTIC_DATA=DIR python benchmarks/triangle_gain.py RUN --split validation
"""

import argparse
import json

import numpy as np

from neuroplastic.hardware.evaluate import load_for_evaluation
from neuroplastic.hardware.linear_form import linear_form, unit_distances


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("run", help="run folder of a network with the Euclidean triangle (or its .npz: test only)")
    parser.add_argument("--split", choices=("test", "validation"), default="validation")
    parser.add_argument("--calibration-images", type=int, default=2000)
    parser.add_argument("--knots", type=float, nargs="+", default=[10, 20, 30, 50],
                        help="percentiles of sum x over the calibration images (default 10 20 30 50)")
    parser.add_argument("--data-dir", default=None)
    args = parser.parse_args(argv)
    network, X_eval, _, X_train = load_for_evaluation(args.run, args.data_dir, split=args.split)
    X = np.asarray(X_eval, dtype=np.float64)
    Xc = np.asarray(X_train[:args.calibration_images], dtype=np.float64)
    form = linear_form(network, Xc)
    engine = network.predict(X_eval)
    potentials = form.hidden(X) @ network.output_weights.toarray().T
    bias = np.asarray(network.output_bias, dtype=np.float64)

    def agreement(gain):
        return float(np.mean(network.classes[np.argmax(potentials + bias * gain[:, None], axis=1)] == engine))

    s, sc, mc = X.sum(axis=1), Xc.sum(axis=1), unit_distances(network, Xc).mean(axis=1)
    gains = {"as_built": agreement(form.gain(X))}
    alpha_beta, *_ = np.linalg.lstsq(np.c_[np.ones(len(sc)), sc], mc, rcond=None)
    gains["linear"] = agreement(np.c_[np.ones(len(s)), s] @ alpha_beta)
    for q in args.knots:
        knot = float(np.percentile(sc, q))

        def features(total):
            return np.c_[np.ones(len(total)), total, np.maximum(0.0, total - knot)]

        coef, *_ = np.linalg.lstsq(features(sc), mc, rcond=None)
        gains[f"linear_and_hinge_q{q:g}"] = agreement(features(s) @ coef)
    gains["exact"] = agreement(unit_distances(network, X).mean(axis=1))
    print(json.dumps({"benchmark": "triangle-gain", "run": str(args.run), "split": args.split, "images": len(X),
                      "calibration_images": len(Xc), "mapping": form.note, "agreement": gains}, indent=1))


if __name__ == "__main__":
    main()
