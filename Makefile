# Every target sets itself up first: system packages (Debian/Ubuntu), then .venv with jixiao installed.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.jixiao-installed
DECLARATIONS ?= declarations

.PHONY: help pdf xlsx site serve bench validate test schema system-runtime system-test clean

# The first target: what `make` alone does.
pdf: system-runtime $(STAMP)
	$(BIN)/jixiao build pdf $(DECLARATIONS)

xlsx: system-runtime $(STAMP)
	$(BIN)/jixiao build xlsx $(DECLARATIONS)

site: system-runtime $(STAMP)
	$(BIN)/jixiao build site $(DECLARATIONS)

serve: system-runtime $(STAMP)
	$(BIN)/jixiao serve $(DECLARATIONS)

# Typst is a peer in the figures only: installed here if the index has it, else bench.json says so.
# Compiled first: with PYTHONDONTWRITEBYTECODE set, every process would compile jixiao's modules again.
bench: system-test $(STAMP)
	-@$(BIN)/python -m pip install -q --disable-pip-version-check 'typst>=0.12' 2>/dev/null
	@$(BIN)/python -m compileall -q generator
	$(BIN)/python tools/bench.py

help:
	@echo "make pdf        生成 output/pdf/<年度>/<部门标识>.pdf"
	@echo "make xlsx       生成 output/xlsx/<年度>/<部门标识>.xlsx 和每年一本 jixiao-<年度>.xlsx"
	@echo "make site       生成静态公开网站 output/site/"
	@echo "make serve      本机预览网站（改动后自动重建、刷新）"
	@echo "make bench      测速，结果写入 output/bench.json"
	@echo "make validate   检查 declarations/ 下全部申报文件"
	@echo "make review     预算科的审核台 output/review/index.html"
	@echo "make test       运行全部测试"
	@echo "make schema     重新生成 declarations/declaration.schema.json"

system-runtime:
	@tools/system-deps.sh runtime

system-test:
	@tools/system-deps.sh test

# Re-installed when pyproject.toml changes; the stamp lives inside .venv so deleting .venv resets it.
$(STAMP): pyproject.toml | system-runtime
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "jixiao needs Python 3.11 or newer: make PYTHON=python3.12 …" >&2; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[test]'
	@$(BIN)/python -m compileall -q generator
	@touch $(STAMP)

validate: system-runtime $(STAMP)
	$(BIN)/jixiao validate $(DECLARATIONS)

review: system-runtime $(STAMP)
	$(BIN)/jixiao review $(DECLARATIONS)

schema: $(STAMP)
	$(BIN)/jixiao schema --out $(DECLARATIONS)/declaration.schema.json

# The site tests' checkers (axe-core, the W3C HTML checker) come from npm, pinned by package-lock.json.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

test: system-test $(STAMP) node_modules/.installed
	$(BIN)/python -m pytest -n auto -q

clean:
	rm -rf output .pytest_cache .hypothesis
