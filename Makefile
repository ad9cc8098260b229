# Two entry points (see README): `make demo` and `make test`. Both install everything first.
PYTHON ?= python3
PIP := $(PYTHON) -m pip
DEMO_DIR ?= build/demo

.PHONY: install demo test lint bench

install:
	$(PIP) install -q -c constraints.txt -e ".[all]"

demo: install
	$(PYTHON) -m certs.demo --out $(DEMO_DIR)

test: install
	$(PYTHON) -m pytest -q
	$(PYTHON) -m ruff check audit certs tests scripts

lint:
	$(PYTHON) -m ruff check audit certs tests scripts
	$(PYTHON) -m ruff format --check audit certs tests scripts
