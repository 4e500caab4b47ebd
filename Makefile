# The two commands every new user needs: `make run` and `make test`. Each sets up what it needs first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
# The demo's Zoom and calendars are the emulators, mounted in `rendez serve`; set either to 0 to do without.
EMULATORS := ZOOM_EMULATOR=$${ZOOM_EMULATOR:-1} CALENDAR_EMULATORS=$${CALENDAR_EMULATORS:-1}

.PHONY: run test lint format worker bench install clean lock

$(STAMP): pyproject.toml requirements/constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip==25.3
	$(BIN)/pip install --quiet -c requirements/constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Readable log lines in the terminal (production logs one JSON object per line).
run: export RENDEZ_LOG_FORMAT ?= console
run: $(STAMP)
	$(EMULATORS) $(BIN)/rendez migrate --no-input -v 0
	$(EMULATORS) $(BIN)/rendez demo
	$(EMULATORS) $(BIN)/rendez serve --host 127.0.0.1 --port $(PORT)

test: $(STAMP)
	scripts/test.sh

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy rendez emulator_kit zoom_emulator google_emulator microsoft_emulator

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Another worker beside `make run`: the same Zoom and calendars (the emulators served by `make run` on
# $(PORT)) and the same readable log lines. For production workers, run `rendez worker` with the production environment instead.
worker: export RENDEZ_LOG_FORMAT ?= console
worker: $(STAMP)
	$(EMULATORS) PORT=$(PORT) $(BIN)/rendez worker

bench: $(STAMP)
	scripts/bench.sh

clean:
	rm -rf $(VENV) var build *.egg-info

# Re-pin every transitive dependency after changing pyproject.toml.
lock: $(STAMP)
	echo '# Every installed package, pinned: `make lock` rewrites this from the virtual environment after a dependency change.' > requirements/constraints.txt
	$(BIN)/pip freeze --exclude-editable | grep -v '^rendez' >> requirements/constraints.txt
