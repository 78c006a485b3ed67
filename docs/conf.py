"""Sphinx configuration: Markdown pages (MyST) and the API reference from numpydoc docstrings.

Build with ``sphinx-build -W -b html docs docs/_build/html`` (warnings are errors).
"""

import importlib.util
import os
import sys

if importlib.util.find_spec("neuroplastic") is None:  # not installed: read it from the source tree
    sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..")))

project = "neuroplastic"
author = "neuroplastic developers"
copyright = "2026, neuroplastic developers"

try:
    from neuroplastic import __version__ as release
except ImportError:  # the docs still build when the package cannot be imported
    release = "unknown"
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
]

source_suffix = {".md": "markdown"}
master_doc = "index"
exclude_patterns = ["_build"]

myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3

napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_rtype = False

autodoc_default_options = {"members": True, "show-inheritance": False}
autodoc_member_order = "bysource"
autodoc_typehints = "none"
# The heavy optional back ends are not needed to read the docstrings.
autodoc_mock_imports = ["lava", "brian2"]
# Docstrings cross-reference freely; unresolved Python references are not an error.
nitpicky = False
suppress_warnings = ["myst.xref_missing"]

html_theme = "alabaster"
html_title = "neuroplastic"
