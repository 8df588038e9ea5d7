#!/usr/bin/env bash
# The one way to run a kpreco job, or any PySpark script, with Delta Lake ready, on a laptop or a
# cluster:
#
#   ./spark-submit.sh [spark-submit options] SCRIPT.py [--config conf/FILE.yaml] [--set k=v ...]
#   ./spark-submit.sh pyspark [spark-submit options]        # the interactive PySpark shell
#
# Uses the project's Python for driver and workers, puts the Delta Lake jars on the classpath and
# Delta's session extension and catalog in the Spark conf (so a plain
# `SparkSession.builder.getOrCreate()` reads and writes Delta), ships src/kpreco to executors,
# and passes every spark-submit option through (--master, --driver-memory, --conf, ...). Without
# --master / --driver-memory it takes spark.master / spark.driver_memory from the config
# (conf/local.yaml when no --config is given). Scripts run from the checkout, so relative paths
# in their arguments and in conf/*.yaml are relative to it.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PYTHON="${KPRECO_PYTHON:-$ROOT/.venv/bin/python}"
JARS_DIR="${KPRECO_JARS_DIR:-$ROOT/.cache/jars}"

usage() {
  cat >&2 <<USAGE
usage: ./spark-submit.sh [spark-submit options] SCRIPT.py [script arguments]
       ./spark-submit.sh pyspark [spark-submit options]

SCRIPT.py is a kpreco job (jobs/NAME.py --config conf/FILE.yaml [--set k=v ...]) or any PySpark
script; --config is optional (conf/local.yaml when absent) and supplies the master and driver
memory unless --master / --driver-memory are given. For a JVM application use
.venv/bin/spark-submit directly.
USAGE
  exit 2
}

if [[ ! -x "$PYTHON" ]]; then
  echo "spark-submit.sh: no project environment at $ROOT/.venv; run 'make setup' first" >&2
  exit 2
fi

shell=false
if [[ "${1:-}" == "pyspark" ]]; then
  shell=true
  shift
fi
[[ "${1:-}" == "-h" || "${1:-}" == "--help" ]] && usage

spark_options=()
while [[ $# -gt 0 && "$1" != *.py ]]; do
  spark_options+=("$1")
  shift
done
if $shell; then
  [[ $# -eq 0 ]] || { echo "spark-submit.sh: 'pyspark' takes no script ($1)" >&2; usage; }
  app=()
else
  if [[ $# -eq 0 ]]; then
    [[ ${#spark_options[@]} -gt 0 ]] &&
      echo "spark-submit.sh: no Python script (*.py) among the arguments: ${spark_options[*]}" >&2
    usage
  fi
  app=("$@")
  # The script as the caller names it, or relative to the checkout (jobs/NAME.py from anywhere).
  if [[ -f "$1" ]]; then
    app[0]="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
  elif [[ ! -f "$ROOT/$1" ]]; then
    echo "spark-submit.sh: no such script: $1" >&2
    exit 2
  fi
fi

has_option() {
  local wanted="$1" option
  for option in "${spark_options[@]+"${spark_options[@]}"}"; do
    [[ "$option" == "$wanted" || "$option" == "$wanted="* ]] && return 0
  done
  return 1
}

# Master, driver memory (code cannot set it later) and Delta's session settings, from the
# config the script is given (or conf/local.yaml).
defaults=()
mapfile -t defaults < <(cd "$ROOT" && "$PYTHON" -m kpreco.cli submit-defaults "${app[@]:1}")
if [[ ${#defaults[@]} -lt 2 ]]; then
  echo "spark-submit.sh: could not read the master and driver memory from the config" >&2
  exit 2
fi
has_option --master || spark_options+=(--master "${defaults[0]}")
has_option --driver-memory || spark_options+=(--driver-memory "${defaults[1]}")
for setting in "${defaults[@]:2}"; do
  spark_options+=(--conf "$setting")
done
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
else
  touch "$package"  # the newest zip is the one last submitted (what the nightly DAG ships)
fi

export PYSPARK_PYTHON="${PYSPARK_PYTHON:-$PYTHON}"
export PYSPARK_DRIVER_PYTHON="${PYSPARK_DRIVER_PYTHON:-$PYTHON}"
export PYTHONPATH="$ROOT/src${PYTHONPATH:+:$PYTHONPATH}"
export KPRECO_HOME="$ROOT"

launcher=spark-submit
$shell && launcher=pyspark
command=(
  "$(dirname "$PYTHON")/$launcher"
  --jars "$jar_list"
  --py-files "$package"
  --conf spark.ui.showConsoleProgress=false
  "${spark_options[@]}"
  "${app[@]+"${app[@]}"}"
)
# KPRECO_PRINT_COMMAND=1: print the command (with its environment) instead of running it, e.g.
# to hand the same submission to a scheduler (deploy/airflow/kpreco_nightly.py builds it too).
if [[ -n "${KPRECO_PRINT_COMMAND:-}" ]]; then
  printf '%q ' "PYSPARK_PYTHON=$PYSPARK_PYTHON" "PYSPARK_DRIVER_PYTHON=$PYSPARK_DRIVER_PYTHON" \
    "PYTHONPATH=$PYTHONPATH" "KPRECO_HOME=$KPRECO_HOME" "${command[@]}"
  echo
  exit 0
fi
# Jobs run from the checkout: relative paths (conf/*.yaml, data/local/...) are relative to it.
cd "$ROOT"
exec "${command[@]}"
