# `make demo` and `make test` work on a fresh clone with a bare Python >= 3.11.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
# make test installs every optional extra (fast: the numba kernels) so that their tests run; make demo only the
# core dependencies it uses (numpy, scipy, Qiskit, Aer, Cirq, stim, matplotlib).
ALL_EXTRAS := dev,ibm,dask,fast,grid,notebooks,agents,docs
EXTRAS ?= $(ALL_EXTRAS)
comma  := ,
STAMP  := $(VENV)/.installed-$(subst $(comma),-,$(EXTRAS))
CORE_STAMP := $(VENV)/.installed-core
PYTEST_ARGS ?= -n 2

.PHONY: demo test check venv bench clean docs typecheck tree

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[$(EXTRAS)]"
	touch $@ $(CORE_STAMP)

$(CORE_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

venv: $(STAMP)

demo: $(CORE_STAMP)
	$(VENV)/bin/qenergy demo

# lint and type checks (configured in pyproject.toml), the documentation site (strict), then the suite
check: $(STAMP) typecheck
	$(VENV)/bin/ruff check .
	$(MKDOCS)

# mypy and mkdocstrings cannot follow setuptools' package-dir mapping (qenergy.circuits lives in circuits/),
# so both read a tree of symbolic links laid out as the installed package is:
# build/package-tree/qenergy/{..., circuits, classical}.
TREE := build/package-tree
tree:
	rm -rf $(TREE) && mkdir -p $(TREE)/qenergy
	for f in qenergy/*; do ln -s "$(CURDIR)/$$f" $(TREE)/qenergy/; done
	ln -s "$(CURDIR)/circuits" $(TREE)/qenergy/circuits
	ln -s "$(CURDIR)/classical" $(TREE)/qenergy/classical

typecheck: $(STAMP) tree
	cd $(TREE) && $(CURDIR)/$(VENV)/bin/mypy --config-file $(CURDIR)/pyproject.toml qenergy

# the documentation site (mkdocs.yml) into site/: open site/index.html. --strict: a broken link,
# anchor or API reference fails the build (never add --quiet: it hides the warnings that --strict counts).
# NO_MKDOCS_2_WARNING silences Material's end-of-life banner.
MKDOCS := NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict --site-dir site
docs: $(STAMP) tree
	$(MKDOCS)

# with every extra installed, a test skipped for a missing optional package fails instead (tests/conftest.py)
test: check
	QENERGY_REQUIRE_OPTIONAL=$(if $(filter $(ALL_EXTRAS),$(EXTRAS)),1,0) $(PY) -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(PY) benchmarks/run.py

clean:
	rm -rf $(VENV) qenergy-demo .pytest_cache .hypothesis build
