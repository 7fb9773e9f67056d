# Tessera: `make run` starts it, `make test` runs every test. Both create .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint migrate bench clean-var messages assets

$(STAMP): pyproject.toml setup.py
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Tessera needs Python 3.11 or newer")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/tessera run

test: $(STAMP)
	$(BIN)/tessera test

migrate: $(STAMP)
	$(BIN)/tessera migrate

lint: $(STAMP)
	$(BIN)/ruff check platform metadata tenants ui_builder reports_engine tests bench

bench: $(STAMP)
	$(BIN)/python bench/provisioning.py

# Front-end packages: exact versions in package.json/package-lock.json, copied into
# ui_builder/static/vendor/ (committed, with VERSIONS) so `make run` needs no Node.js.
assets: $(STAMP)
	npm ci --no-audit --no-fund
	$(BIN)/python -m ui_builder.vendor_assets

clean-var:
	rm -rf var

# Refresh the zh-Hans translations: collect messages, fill them from locale/zh_hans_translations.py
# (lists any message still untranslated), compile the .mo that is committed.
messages: $(STAMP)
	$(BIN)/tessera manage makemessages -l zh_Hans --ignore=.venv --ignore=var --ignore=tests --ignore=bench --no-location
	$(BIN)/python locale/fill.py
	msgfmt --check-format -o locale/zh_Hans/LC_MESSAGES/django.mo locale/zh_Hans/LC_MESSAGES/django.po
