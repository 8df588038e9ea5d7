# The two commands of the README, plus the pieces they are made of.
.PHONY: setup run test test-slow lint

setup:
	./scripts/setup.sh

# The main job on the embedded sample data (simulated marketplace).
run: setup
	./spark-submit.sh jobs/pipeline.py --config conf/local.yaml

# The test suite (slow tests excluded; see test-slow).
test: setup
	.venv/bin/python -m pytest

test-slow: setup
	.venv/bin/python -m pytest -m slow

lint: setup
	.venv/bin/ruff check . && .venv/bin/ruff format --check .
