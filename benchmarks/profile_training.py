"""Where training time goes: a cProfile of one hidden pass and one readout pass of a model.

Prints JSON: the model, the images used, the total seconds and the functions
with the most time of their own (``tottime``), so the performance page can
say which parts of a batch dominate.

Usage::

    NEUROPLASTIC_DATA=DIR python benchmarks/profile_training.py --model mnist --images 20000 > profile.json
"""

import argparse
import cProfile
import dataclasses
import io
import json
import pstats
import time
from pathlib import Path

MODELS = Path(__file__).resolve().parents[1] / "models"


def main(argv=None):
    from neuroplastic.config import load_model
    from neuroplastic.engines import make_learner
    from neuroplastic.runner import prepare_data

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="mnist", help="bundled model name or model file")
    parser.add_argument("--images", type=int, default=20000, help="training images per pass (default 20000)")
    parser.add_argument("--top", type=int, default=12)
    args = parser.parse_args(argv)
    path = MODELS / f"{args.model}.toml"
    model = load_model(path if path.exists() else Path(args.model))
    model = dataclasses.replace(model, training=dataclasses.replace(model.training, hidden_epochs=1, readout_epochs=1))
    data = prepare_data(model)
    X, y = data.X_train[:args.images], data.y_train[:args.images]
    learner = make_learner(model)
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.runcall(learner.fit, X, y)
    total = time.perf_counter() - started
    stats = pstats.Stats(profiler, stream=io.StringIO())
    rows = sorted(stats.stats.items(), key=lambda item: item[1][2], reverse=True)[:args.top]
    print(json.dumps({
        "benchmark": "profile-training", "model": model.model.name, "images": int(X.shape[0]),
        "passes": "one hidden pass and one readout pass", "seconds": total,
        "top_by_own_time": [{"function": f"{Path(key[0]).name}:{key[1]}({key[2]})", "calls": value[1],
                             "own_seconds": value[2], "cumulative_seconds": value[3]} for key, value in rows],
    }, indent=1))


if __name__ == "__main__":
    main()
