"""Build step that bundles the model definitions and hardware profiles.

Everything else is declared in pyproject.toml. The top-level folders
``models/`` and ``hardware_profiles/`` stay the originals; building the
package copies their TOML files into ``neuroplastic/bundled/`` so that an
installed package finds them by name (see ``neuroplastic/resources.py``).
An editable install reads the top-level folders instead.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
BUNDLED = ("models", "hardware_profiles")


class BuildWithBundled(build_py):
    """``build_py`` plus a copy of the bundled TOML files into the built package."""

    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "neuroplastic" / "bundled"
        for kind in BUNDLED:
            source = HERE / kind
            for path in sorted(source.rglob("*.toml")):
                destination = target / kind / path.relative_to(source)
                self.mkpath(str(destination.parent))
                self.copy_file(str(path), str(destination))


setup(cmdclass={"build_py": BuildWithBundled})
