# Two commands set everything up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
LAYER  := tlruntime/tl/__init__.py
SCHEMA := schema/mtproto.tl schema/api.tl

.PHONY: all install generate test bench demo typecheck clean docs

all: generate

$(STAMP): pyproject.toml setup.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

$(LAYER): $(STAMP) $(SCHEMA) $(wildcard generator/*.py generator/*.lark generator/templates/*.j2 generator/errors/*.py generator/facts/*)
	$(BIN)/python -m generator --out tlruntime/tl $(SCHEMA)
	$(BIN)/python -m generator.errors --out tlruntime/tl --package tlruntime.tl
	# Byte-compile like `pip install` does for a wheel, so imports never pay for compiling
	# (this environment may set PYTHONDONTWRITEBYTECODE, which would otherwise recompile every run).
	$(BIN)/python -m compileall -q -j 0 tlruntime generator >/dev/null

generate: $(LAYER)

test: generate
	$(BIN)/python -m pytest

# The bench also runs every RPC row on uvloop (the optional `uvloop` extra).
BENCH_STAMP := $(VENV)/.bench-stamp
$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,uvloop]'
	touch $(BENCH_STAMP)

bench: generate $(BENCH_STAMP)
	$(BIN)/python -m bench

demo: generate
	$(BIN)/python -m tlruntime.demo

DOCS_STAMP := $(VENV)/.docs-stamp
DOCS_OUT   := build/docs

$(DOCS_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[docs]'
	touch $(DOCS_STAMP)

# Markdown reference pages (build/docs/pages) and the HTML site built from them (build/docs/site).
docs: generate $(DOCS_STAMP)
	$(BIN)/python -m generator.docs --out $(DOCS_OUT)/pages --site $(DOCS_OUT)/site $(SCHEMA)

typecheck: generate
	$(BIN)/python -m mypy --strict tlruntime

clean:
	rm -rf tlruntime/tl build *.egg-info
