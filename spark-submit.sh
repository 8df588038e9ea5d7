#!/usr/bin/env bash
# The one way to run a kpreco job, on a laptop or a cluster:
#
#   ./spark-submit.sh [spark-submit options] jobs/NAME.py --config conf/FILE.yaml [--set k=v ...]
#
# Uses the project's Python for driver and workers, puts the Delta Lake jars on the classpath,
# ships src/kpreco to executors, and passes every spark-submit option through (--master,
# --driver-memory, --conf, --deploy-mode, ...). Without --master / --driver-memory it takes
# spark.master / spark.driver_memory from the config.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PYTHON="${KPRECO_PYTHON:-$ROOT/.venv/bin/python}"
JARS_DIR="${KPRECO_JARS_DIR:-$ROOT/.cache/jars}"

if [[ ! -x "$PYTHON" ]]; then
  echo "spark-submit.sh: no project environment at $ROOT/.venv; run 'make setup' first" >&2
  exit 2
fi

spark_options=()
while [[ $# -gt 0 && "$1" != *.py ]]; do
  spark_options+=("$1")
  shift
done
if [[ $# -eq 0 ]]; then
  echo "usage: ./spark-submit.sh [spark-submit options] jobs/NAME.py --config conf/FILE.yaml [--set k=v ...]" >&2
  exit 2
fi
app=("$@")

has_option() {
  local wanted="$1" option
  for option in "${spark_options[@]+"${spark_options[@]}"}"; do
    [[ "$option" == "$wanted" || "$option" == "$wanted="* ]] && return 0
  done
  return 1
}

# Master and driver memory from the config unless given (code cannot set driver memory later).
mapfile -t defaults < <(cd "$ROOT" && "$PYTHON" -m kpreco.cli submit-defaults "${app[@]:1}")
has_option --master || spark_options+=(--master "${defaults[0]}")
has_option --driver-memory || spark_options+=(--driver-memory "${defaults[1]}")
# Spark's own INFO logging off unless the caller configures logging.
has_option --driver-java-options ||
  spark_options+=(--driver-java-options "-Dlog4j2.configurationFile=file:$ROOT/conf/log4j2.properties")

shopt -s nullglob
jars=("$JARS_DIR"/delta-*.jar)
if [[ ${#jars[@]} -lt 2 ]]; then
  echo "spark-submit.sh: Delta Lake jars not found in $JARS_DIR; run 'make setup' once to resolve them" >&2
  exit 2
fi
jar_list=$(IFS=,; echo "${jars[*]}")

# Executors import kpreco from this zip (a cluster has no checkout). It is named by a hash of
# the sources and written under a private name, then renamed: jobs running side by side never
# read a half-written or replaced zip.
mkdir -p "$ROOT/build"
digest=$(cd "$ROOT/src" && find kpreco -name '*.py' -print0 | sort -z | xargs -0 sha1sum | sha1sum | cut -c1-12)
package="$ROOT/build/kpreco-$digest.zip"
if [[ ! -f "$package" ]]; then
  staging=$(mktemp "$ROOT/build/.kpreco-XXXXXX")
  "$PYTHON" -m zipfile -c "$staging" "$ROOT/src/kpreco" && mv -f "$staging" "$package"
fi

export PYSPARK_PYTHON="${PYSPARK_PYTHON:-$PYTHON}"
export PYSPARK_DRIVER_PYTHON="${PYSPARK_DRIVER_PYTHON:-$PYTHON}"
export PYTHONPATH="$ROOT/src${PYTHONPATH:+:$PYTHONPATH}"
export KPRECO_HOME="$ROOT"

cd "$ROOT"
exec "$(dirname "$PYTHON")/spark-submit" \
  --jars "$jar_list" \
  --py-files "$package" \
  --conf spark.ui.showConsoleProgress=false \
  "${spark_options[@]}" \
  "${app[@]}"
