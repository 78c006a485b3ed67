"""List the data sets found and verify their content."""

from ..datasets import DATA_ENV, data_candidates, find_idx_files, load_sample, verify_idx_folder
from ..errors import DataError
from .options import add_data, add_json, print_json

NAME = "data"
HELP = "list the data sets found and verify their checksums"
EXAMPLE = ["neuroplastic data", "neuroplastic data --data ~/mnist --json"]


def add_arguments(parser):
    add_data(parser)
    add_json(parser)


def _folder_record(origin, folder):
    records = verify_idx_folder(folder)
    by_part = {r["part"]: r for r in records}
    verified = [r["verified"] for r in records]
    return {
        "name": "mnist" if all(verified) else folder.name,
        "origin": origin,
        "folder": str(folder),
        "n_train": by_part["train_images"]["items"],
        "n_test": by_part["test_images"]["items"],
        "content": "verified MNIST (SHA-256)" if all(verified) else "not the published MNIST content",
        "files": records,
    }


def run(args):
    found = []
    for origin, folder in data_candidates(args.data):
        explicit = origin in ("--data", DATA_ENV)
        try:
            find_idx_files(folder)
        except DataError:
            if explicit:
                raise
            found.append({"name": "mnist", "origin": origin, "folder": str(folder), "content": "not present"})
            continue
        found.append(_folder_record(origin, folder))
    sample = load_sample().summary()
    found.append({"name": "mnist-sample", "origin": "bundled", "folder": sample["source"],
                  "n_train": sample["n_train"], "n_test": sample["n_test"], "content": "bundled with the package"})
    if args.json:
        print_json(found)
        return 0
    for item in found:
        counts = f"{item['n_train']:>7,} train / {item['n_test']:>6,} test" if "n_train" in item else " " * 26
        print(f"{item['name']:<13} {counts}  {item['content']:<30}  {item['folder']} ({item['origin']})")
    return 0
