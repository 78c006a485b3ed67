# Two commands for a fresh machine:
#   make run    train the default model on MNIST, print and save the results
#   make test   run the test suite
# Both create (or reuse) a virtual environment and install the package into it,
# at the versions pinned in constraints-py<version>.txt:
#   Python 3.10 (default): .venv, with every extra (Brian2, Lava, JAX, Dask, Sphinx);
#   another Python, e.g. `make test PYTHON=python3.12`: .venv312, with every extra
#   that supports it (the lava extra installs nothing after 3.10).
# `make constraints` rewrites the pins from the current venv.

PYTHON ?=
ifeq ($(strip $(PYTHON)),)
PYVER  := 3.10
else
# The version PYTHON reports, or the one its name gives (python3.12) when only pyenv has it.
PYVER  := $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
ifeq ($(PYVER),)
PYVER  := $(shell echo '$(notdir $(PYTHON))' | sed -n 's/^python\([0-9]\.[0-9][0-9]*\)$$/\1/p')
endif
ifeq ($(PYVER),)
$(error PYTHON=$(PYTHON) is not a Python interpreter)
endif
endif
PYTAG  := $(subst .,,$(PYVER))
VENV   := $(if $(filter 3.10,$(PYVER)),.venv,.venv$(PYTAG))
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
PINS   := constraints-py$(PYTAG).txt
EXTRAS := all,test
MODEL  ?= models/mnist.toml
ARGS   ?=
PIP    := $(PY) -m pip install -qq $(if $(wildcard $(PINS)),-c $(PINS))

# Full MNIST beside the project, when present (see README: where data comes from).
ifeq ($(NEUROPLASTIC_DATA),)
ifneq ($(wildcard ../shared/data/mnist),)
export NEUROPLASTIC_DATA := $(abspath ../shared/data/mnist)
endif
endif

.PHONY: run test test-slow test-all docs venv constraints clean

run: $(STAMP)
	$(PY) -m neuroplastic train --model $(MODEL) $(ARGS)

test: $(STAMP)
	$(PY) -m pytest -q

test-slow: $(STAMP)
	$(PY) -m pytest -q -m slow

test-all: $(STAMP)
	$(PY) -m pytest -q -m "slow or not slow"

docs: $(STAMP)
	$(PY) -m sphinx -W -b html docs docs/_build/html

venv: $(STAMP)

# The interpreter is found as: $PYTHON, then python<version> on PATH, then pyenv's newest <version>.
$(STAMP): pyproject.toml setup.cfg setup.py $(wildcard $(PINS))
	@set -e; \
	if [ ! -x "$(PY)" ] || ! "$(PY)" -c 'import sys; assert "%d.%d" % sys.version_info[:2] == "$(PYVER)"' 2>/dev/null; then \
	  rm -rf "$(VENV)"; \
	  base=; \
	  for cand in $(PYTHON) python$(PYVER); do \
	    if [ -z "$$base" ] && "$$cand" -c 'import sys; assert "%d.%d" % sys.version_info[:2] == "$(PYVER)"' 2>/dev/null; then \
	      base="$$cand"; \
	    fi; \
	  done; \
	  if [ -z "$$base" ] && command -v pyenv >/dev/null 2>&1; then \
	    cand=$$(ls -d "$$(pyenv root)"/versions/$(PYVER).* 2>/dev/null | sort -V | tail -n 1); \
	    if [ -n "$$cand" ]; then base="$$cand/bin/python$(PYVER)"; fi; \
	  fi; \
	  if [ -z "$$base" ]; then echo "error: Python $(PYVER) not found; set PYTHON=/path/to/python$(PYVER)" >&2; exit 1; fi; \
	  echo "creating $(VENV) with $$base"; \
	  "$$base" -m venv "$(VENV)"; \
	fi
	$(PIP) --upgrade pip
	$(PIP) -e ".[$(EXTRAS)]"
	@touch $(STAMP)

constraints: $(STAMP)
	@{ echo "# Exact versions that \`make\` installs on Python $(PYVER) (\`make constraints PYTHON=...\` rewrites this file)."; \
	  $(PY) -m pip freeze --all --exclude-editable --exclude neuroplastic --exclude setuptools --exclude wheel; } > $(PINS)
	@echo "wrote $(PINS)"

clean:
	rm -rf .venv .venv3* build *.egg-info .pytest_cache
