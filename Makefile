# Two entry points (see README): `make demo` and `make test`. Both install everything first.
PYTHON ?= python3
PIP := $(PYTHON) -m pip
DEMO_DIR ?= build/demo

.PHONY: install demo test lint bench fuzz

FUZZ_SECONDS ?= 60

install:
	$(PIP) install -q -c constraints.txt -e ".[all]"

demo: install
	$(PYTHON) -m certs.demo --out $(DEMO_DIR)

test: install
	$(PYTHON) -m pytest -q
	$(PYTHON) -m ruff check audit certs tests scripts fuzz

# Every fuzz target for FUZZ_SECONDS each (corpus and findings under build/fuzz/); exit 1 on a finding.
fuzz: install
	$(PYTHON) -m fuzz.all --seconds $(FUZZ_SECONDS)

lint:
	$(PYTHON) -m ruff check audit certs tests scripts fuzz
	$(PYTHON) -m ruff format --check audit certs tests scripts fuzz
