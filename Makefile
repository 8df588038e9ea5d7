# The two commands of the README, plus the pieces they are made of.
.PHONY: setup run test test-slow lint

setup:
	./scripts/setup.sh

# The main job on the embedded sample data (simulated marketplace).
run: setup
	./spark-submit.sh jobs/pipeline.py --config conf/local.yaml

# The test suite (slow tests excluded; see test-slow), on two workers: the job tests mostly wait
# on JVM start-up and Delta commits, so one file per worker at a time keeps both cores busy
# (a module's fixtures stay on one worker).
test: setup
	.venv/bin/python -m pytest -n 2 --dist loadfile

test-slow: setup
	.venv/bin/python -m pytest -m slow

lint: setup
	.venv/bin/ruff check . && .venv/bin/ruff format --check .
