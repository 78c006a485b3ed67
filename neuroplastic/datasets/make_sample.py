"""Rebuild the bundled MNIST sample from the full set.

Usage::

    python -m neuroplastic.datasets.make_sample --data DIR
"""

import argparse
from pathlib import Path

from .folder import load_idx_folder
from .sample import SAMPLE_PATH, make_sample


def main(argv=None):
    parser = argparse.ArgumentParser(description="Rebuild the bundled MNIST sample from the full set.")
    parser.add_argument("--data", required=True, help="folder with the four MNIST IDX files")
    parser.add_argument("--out", default=str(SAMPLE_PATH), help="where to write the .npz")
    args = parser.parse_args(argv)
    make_sample(load_idx_folder(args.data, name="mnist"), Path(args.out))
    print(f"wrote {args.out} ({Path(args.out).stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
