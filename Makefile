# make demo: set up and run the tour.  make test: set up and run the whole test suite.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
EXTRAS ?= test,plots,digits,bench,playground,interop
TOUR_OUT ?= tour

.PHONY: demo test install system-deps browser-deps

demo: install system-deps
	$(PY) -m examples.tour --out $(TOUR_OUT)

test: install system-deps browser-deps
	$(PY) -m ruff check .
	$(PY) -m pytest -q tests

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -e ".[$(EXTRAS)]"
	touch $@

system-deps:
	bash scripts/system-deps.sh

browser-deps:
	bash scripts/system-deps.sh --browser
