# Tessera: `make run` starts it, `make test` runs every test. Both create .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint style typecheck migrate bench clean-var messages assets

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

# `make lint`: mypy (typecheck, below) and `make style`: ruff (style, complexity, imports at the
# top), at most 10 imports inside functions in the application's code (each says why), and
# import-linter (the layers: pyproject.toml).
APP_CODE := platform metadata tenants ui_builder reports_engine
MAX_LATE_IMPORTS := 10

lint: typecheck style

style: $(STAMP)
	$(BIN)/ruff check $(APP_CODE) tests bench
	@late=$$($(BIN)/ruff check $(APP_CODE) --select PLC0415 --ignore-noqa --config 'lint.per-file-ignores = {}' \
	    --output-format concise --quiet | grep -c PLC0415); \
	  echo "imports inside functions: $$late (at most $(MAX_LATE_IMPORTS))"; \
	  test "$$late" -le $(MAX_LATE_IMPORTS)
	$(BIN)/lint-imports --no-cache

# mypy over the installed packages `tessera` (the platform/ folder), `metadata` and `tenants`, with the
# settings in pyproject.toml. It runs in var/typecheck, a folder of symlinks named like the packages
# (tessera -> platform/...): mypy always searches its working directory, and from the repository root
# it would take platform/ for the standard library's `platform`, and it cannot follow the editable
# install's import hook. Paths in its messages are turned back into repository paths. The Django
# plugin loads the settings, which need a DATABASE_URL but never connect.
TYPECHECK_DIR := var/typecheck
typecheck: $(STAMP)
	@mkdir -p $(TYPECHECK_DIR)
	@for pair in tessera:platform metadata:metadata tenants:tenants ui_builder:ui_builder \
	             reports_engine:reports_engine; do ln -sfn ../../$${pair#*:} $(TYPECHECK_DIR)/$${pair%%:*}; done
	cd $(TYPECHECK_DIR) && DATABASE_URL=$${DATABASE_URL:-postgres://typecheck@127.0.0.1:1/unused} \
	  bash -o pipefail -c '../../$(BIN)/mypy --config-file ../../pyproject.toml -p tessera -p metadata -p tenants \
	  | sed -e "s#^tessera/#platform/#"'

bench: $(STAMP)
	$(BIN)/python bench/provisioning.py

# Front-end packages: exact versions in package.json/package-lock.json, copied into
# ui_builder/static/vendor/ (committed, with VERSIONS) so `make run` needs no Node.js.
assets: $(STAMP)
	npm ci --no-audit --no-fund
	$(BIN)/python -m ui_builder.vendor_assets

clean-var:
	rm -rf var

# Refresh the translations: collect the marked strings of every UI language's .po file (with their
# source locations), then translate the new or changed entries in the .po (the source of
# translations) and run `make messages` again to compile the .mo files (committed, so a machine
# without gettext still shows Chinese). A new UI language: `tessera manage makemessages -l <locale>`
# once, then a line in LANGUAGES (settings.py).
messages: $(STAMP)
	$(BIN)/tessera manage makemessages --all --ignore=.venv --ignore=var --ignore=tests --ignore=bench --ignore=node_modules
	$(BIN)/tessera manage compilemessages --ignore=.venv --ignore=var --ignore=node_modules
