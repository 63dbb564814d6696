# The whole set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
STAMP  := $(VENV)/.installed
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test lint translations extract-messages system-deps clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

# Compiled catalogues are build output, not source.
translations: $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -d voting/translations -f >/dev/null

run: translations
	$(BIN)/voting init
	$(BIN)/voting demo --if-empty
	$(BIN)/voting serve --host 127.0.0.1 --port $(PORT) --workers 2

lint: $(STAMP)
	$(BIN)/ruff check voting tests bench config.py wsgi.py

# Tests print slips to PDF in a real Chromium and read them back; the end-to-end tests drive
# it with Playwright (tests/e2e). All from Debian, with a Chinese font for the pages' text.
system-deps:
	@command -v chromium >/dev/null && command -v pdftoppm >/dev/null && \
	  fc-list :lang=zh | grep -q . || { \
	  echo "installing chromium, poppler-utils and fonts-noto-cjk (Debian packages)"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium poppler-utils \
	    fonts-noto-cjk >/dev/null; }

test: translations lint system-deps
	$(BIN)/python -m pytest -q -n auto  # one process per core (pytest-xdist)

# Refresh messages.pot and merge it into the catalogues after changing UI strings.
extract-messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o voting/translations/messages.pot .
	$(BIN)/pybabel update -i voting/translations/messages.pot -d voting/translations --no-fuzzy-matching

clean:
	rm -rf $(VENV) build *.egg-info
