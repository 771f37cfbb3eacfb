# Two commands set everything up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# The runtime install (what `make demo` needs) and the test extra have separate stamps,
# so `make demo` never installs the test toolchain.
RUNTIME_STAMP := $(VENV)/.runtime-stamp
TEST_STAMP    := $(VENV)/.test-stamp
LAYER  := tlruntime/tl/__init__.py
SCHEMA := schema/mtproto.tl schema/api.tl
GENERATOR_SOURCES := $(shell find generator -name '*.py' -o -name '*.lark' -o -name '*.j2')
# An editable install does not run the generator: $(LAYER) below does, once per change.
PIP_INSTALL := $(BIN)/python -m pip install --quiet -e

.PHONY: all install install-test generate test bench demo typecheck fuzz clean docs

all: generate

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUNTIME_STAMP): pyproject.toml setup.py | $(BIN)/python
	$(PIP_INSTALL) .
	touch $@

$(TEST_STAMP): $(RUNTIME_STAMP)
	$(PIP_INSTALL) '.[test]'
	touch $@

install: $(RUNTIME_STAMP)
install-test: $(TEST_STAMP)

# After generating, byte-compile like `pip install` does for a wheel, so imports never pay for
# compiling (this environment may set PYTHONDONTWRITEBYTECODE, which would otherwise recompile
# every run), then write the byte-code bundle the layer's class modules load from
# (tlruntime.layer_bundle).  Installing (or reinstalling) is order-only: it never forces a regeneration.
$(LAYER): $(SCHEMA) $(GENERATOR_SOURCES) $(wildcard generator/facts/*.csv) tlruntime/layer_bundle.py | $(RUNTIME_STAMP)
	$(BIN)/python -m generator generate --out tlruntime/tl $(SCHEMA)
	$(BIN)/python -m compileall -q -j 0 tlruntime generator >/dev/null
	$(BIN)/python -m tlruntime.layer_bundle tlruntime/tl >/dev/null

generate: $(LAYER)

test: $(TEST_STAMP) generate
	$(BIN)/python -m pytest

# The bench also runs every RPC row on uvloop (the optional `uvloop` extra).
BENCH_STAMP := $(VENV)/.bench-stamp
$(BENCH_STAMP): $(TEST_STAMP)
	$(PIP_INSTALL) '.[test,uvloop]'
	touch $@

bench: $(BENCH_STAMP) generate
	$(BIN)/python -m bench

demo: generate
	$(BIN)/python -m tlruntime.demo

# Coverage-guided fuzzing: FUZZ_SECONDS per target (default 60); FUZZ_TARGET picks targets
# (space-separated names, see `python -m fuzz --list`); findings go to fuzz/findings/.
FUZZ_SECONDS ?= 60
FUZZ_TARGET  ?=
fuzz: generate
	$(BIN)/python -c "import atheris" 2>/dev/null || $(PIP_INSTALL) '.[fuzz]'
	$(BIN)/python -m fuzz --seconds $(FUZZ_SECONDS) $(foreach t,$(FUZZ_TARGET),--target $(t))

DOCS_STAMP := $(VENV)/.docs-stamp
DOCS_OUT   := build/docs

$(DOCS_STAMP): $(RUNTIME_STAMP)
	$(BIN)/python -m pip install --quiet -e '.[docs]'
	touch $(DOCS_STAMP)

# Markdown reference pages (build/docs/pages) and the HTML site built from them (build/docs/site).
docs: generate $(DOCS_STAMP)
	$(BIN)/python -m generator.docs --out $(DOCS_OUT)/pages --site $(DOCS_OUT)/site $(SCHEMA)

typecheck: $(TEST_STAMP) generate
	$(BIN)/python -m mypy --strict tlruntime

clean:
	rm -rf tlruntime/tl build *.egg-info
