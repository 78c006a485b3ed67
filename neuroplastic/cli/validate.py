"""Check model definitions: unknown keys, wrong types and impossible values."""

from ..config import load_model

NAME = "validate"
HELP = "check model definition files (TOML)"


def add_arguments(parser):
    parser.add_argument("models", nargs="+", metavar="MODEL", help="model definition files or bundled names")


def run(args):
    for path in args.models:
        model = load_model(path)
        classes = "all classes" if model.data.classes is None else f"classes {list(model.data.classes)}"
        print(
            f"{path}: ok: {model.model.name}, {model.data.dataset} ({classes}), "
            f"{model.network.n_hidden} hidden units, {model.network.activation} activation, "
            f"{model.training.epochs} epochs"
        )
    return 0
