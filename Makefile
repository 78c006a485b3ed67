# Two commands for a fresh machine:
#   make run    train the default model on MNIST, print and save the results
#   make test   run the test suite
# Both create (or reuse) .venv with Python 3.10 and install the package into it.

VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
MODEL  ?= models/mnist.toml
ARGS   ?=

# Full MNIST beside the project, when present (see README: where data comes from).
ifeq ($(NEUROPLASTIC_DATA),)
ifneq ($(wildcard ../shared/data/mnist),)
export NEUROPLASTIC_DATA := $(abspath ../shared/data/mnist)
endif
endif

.PHONY: run test test-slow test-all docs venv clean

run: $(STAMP)
	$(PY) -m neuroplastic train --model $(MODEL) $(ARGS)

test: $(STAMP)
	$(PY) -m pytest -q

test-slow: $(STAMP)
	$(PY) -m pytest -q -m slow

test-all: $(STAMP)
	$(PY) -m pytest -q -m "slow or not slow"

docs: $(STAMP)
	$(PY) -m pip install --quiet -e ".[docs]"
	$(PY) -m sphinx -W -b html docs docs/_build/html

venv: $(STAMP)

# Python 3.10 is found as: $PYTHON, then python3.10 on PATH, then pyenv's newest 3.10.
$(STAMP): pyproject.toml setup.cfg
	@set -e; \
	if [ ! -x "$(PY)" ] || ! "$(PY)" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then \
	  rm -rf "$(VENV)"; \
	  base="$${PYTHON:-}"; \
	  if [ -z "$$base" ] && command -v python3.10 >/dev/null 2>&1 \
	     && python3.10 -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then base=python3.10; fi; \
	  if [ -z "$$base" ] && command -v pyenv >/dev/null 2>&1; then \
	    cand=$$(ls -d "$$(pyenv root)"/versions/3.10.* 2>/dev/null | sort -V | tail -n 1); \
	    if [ -n "$$cand" ]; then base="$$cand/bin/python3.10"; fi; \
	  fi; \
	  if [ -z "$$base" ]; then echo "error: Python 3.10 not found; set PYTHON=/path/to/python3.10" >&2; exit 1; fi; \
	  echo "creating $(VENV) with $$base"; \
	  "$$base" -m venv "$(VENV)"; \
	fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	@touch $(STAMP)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
