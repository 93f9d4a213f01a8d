# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: install run stop status test fuzz lint bench bench-all

# The virtualenv is rebuilt only when pyproject.toml changes; Kafka and SecantusDB live in ~/.cache/duban.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

install: $(VENV)/.installed
	$(BIN)/duban install

run: install
	$(BIN)/duban stack up

stop:
	@if [ -x $(BIN)/duban ]; then $(BIN)/duban stack down; else echo "nothing to stop"; fi

status:
	$(BIN)/duban stack status

# The tests also need a headless browser (Debian's chromium) for the dashboard test, LibreOffice Writer to
# render the .docx documents to PDF, and helm (built once with Go) for the Helm chart's test.
test: $(VENV)/.installed lint
	$(BIN)/duban install --browser --office --helm
	$(BIN)/pytest

# The long property-based fuzz run: the suite's short one (tests/integration/test_openapi_fuzz.py) with 60 generated
# cases per operation instead of 4, and schemathesis's coverage phase (README: Published contracts).
fuzz: $(VENV)/.installed
	DUBAN_FUZZ_EXAMPLES=60 DUBAN_FUZZ_COVERAGE=1 $(BIN)/pytest -p no:cacheprovider tests/integration/test_openapi_fuzz.py

lint: $(VENV)/.installed
	$(BIN)/ruff check .

# The pipeline's table (raw ceilings, the tracker's write at 1,000 and 50,000 stored reports): on a stack of its own.
bench: install
	$(BIN)/python bench/pipeline.py

# Every benchmark, each printing its figures.
bench-all: bench
	$(BIN)/python bench/plan_parse.py
	$(BIN)/python bench/pdf_extraction.py
	$(BIN)/python bench/database_fidelity.py
	$(BIN)/python bench/database_writes.py
	$(BIN)/python bench/alerts_sweep.py
	$(BIN)/python bench/intake_admission.py --idempotency
	$(BIN)/python bench/report_latency.py
