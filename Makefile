# Reform Progress Monitor: `make run` serves the dashboard, `make test` runs every test.
# Both create .venv and install what is needed on first use.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cksum < requirements.txt | cut -d' ' -f1)
PORT   ?= 8501

.PHONY: install system-deps run test lint format bench sample clean cluster cluster-stop

$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	rm -f $(VENV)/.installed-* && touch $(STAMP)

# Our modules compiled to bytecode beside them (pip does this for the packages): a process then
# starts without compiling them (0.1–0.15 s of a command-line run; PYTHONDONTWRITEBYTECODE=1, as on
# some machines, would otherwise make every process compile them again). Only changed files are redone.
install: $(STAMP)
	@$(PY) -m compileall -q -j 0 reform metrics ui app_pages deploy bench dashboard.py serve.py >/dev/null

# Debian chromium (real-browser tests, chart images), Noto CJK fonts (Chinese in
# screenshots and exports), openssl (the test mail server's certificate), PostgreSQL (the
# second store; the tests initdb their own server in a temporary folder) and nginx (the
# cluster's front). Installed when missing and we may.
system-deps:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || ! command -v openssl >/dev/null \
	    || ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || ! command -v nginx >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing chromium, fonts-noto-cjk, openssl, postgresql and nginx"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      chromium fonts-noto-cjk openssl postgresql nginx-light >/dev/null; \
	  else echo "note: chromium/fonts-noto-cjk/postgresql/nginx missing and cannot be installed here"; fi; \
	fi

# The server's upload limit follows upload.max_file_mb of the configuration in use ($$REFORM_CONFIG).
run: install
	$(PY) -m reform sample --if-empty
	$(VENV)/bin/streamlit run serve.py --server.port $(PORT) \
	  --server.maxUploadSize $$($(PY) -c "from reform import config; print(config.load().max_file_mb)")

test: install system-deps
	$(PY) -m pytest

# A province deployment on this machine: PostgreSQL (initdb into .cluster/pg), three app servers
# on it and nginx on one port (http://127.0.0.1:$(CLUSTER_PORT)). README "省级部署".
CLUSTER_PORT ?= 8600
cluster: install system-deps
	$(PY) -m deploy.cluster start --servers 3 --port $(CLUSTER_PORT)

cluster-stop: install
	$(PY) -m deploy.cluster stop

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: install
	$(PY) -m bench

sample: install
	$(PY) -m reform sample

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache tests/artifacts
