"""Check model definitions: unknown keys, wrong types and impossible values."""

from ..config import load_model
from .options import add_json, print_json

NAME = "validate"
HELP = "check model definition files (TOML)"
EXAMPLE = ["neuroplastic validate models/*.toml"]


def add_arguments(parser):
    parser.add_argument("models", nargs="+", metavar="MODEL", help="model definition files or bundled names")
    add_json(parser)


def run(args):
    if args.json:
        print_json([_record(path, load_model(path)) for path in args.models])
        return 0
    for path in args.models:
        model = load_model(path)
        classes = "all classes" if model.data.classes is None else f"classes {list(model.data.classes)}"
        print(
            f"{path}: ok: {model.model.name}, {model.data.dataset} ({classes}), "
            f"{model.network.n_hidden} hidden units, {model.network.activation} activation, "
            f"{model.training.epochs} epochs"
        )
    return 0


def _record(path, model):
    return {"file": str(path), "ok": True, "model": model.model.name, "dataset": model.data.dataset,
            "classes": None if model.data.classes is None else list(model.data.classes),
            "n_hidden": model.network.n_hidden, "activation": model.network.activation,
            "epochs": model.training.epochs}
