#!/usr/bin/env bash
# Parsing speed, measured in one run against BuildKit's own parser: the Go parser from
# moby/buildkit through its Python binding (PyPI `dockerfile`), one Python process looping
# over the files, versus `dockwright debug parse --check FILE...` (one process, start-up
# included). Each side runs REPEAT times; the best time counts.
#
# usage: bench/parse.sh [DIR]   (default: ../shared/corpus/dev/files)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-../shared/corpus/dev/files}
repeat=${REPEAT:-10}
[ -d "$dir" ] || { echo "no such directory: $dir" >&2; exit 2; }

venv=$(mktemp -d /tmp/dw-bench-parse.XXXXXX)
trap 'rm -rf "$venv"' EXIT
python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check dockerfile
cargo build --release -q -p dockwright
bin=$(pwd)/target/release/dockwright

"$venv/bin/python" - "$dir" "$bin" "$repeat" <<'PY'
import os, subprocess, sys, time
import dockerfile

d, binary, repeat = sys.argv[1], sys.argv[2], int(sys.argv[3])
paths = sorted(os.path.join(d, f) for f in os.listdir(d) if os.path.isfile(os.path.join(d, f)))
size = sum(os.path.getsize(p) for p in paths)

def buildkit():
    rejected = 0
    for p in paths:
        try:
            dockerfile.parse_file(p)
        except dockerfile.GoParseError:
            rejected += 1
    return rejected

def dockwright():
    p = subprocess.run([binary, "debug", "parse", "--check", *paths], capture_output=True)
    return p.stderr.decode().count("\n")

def best(fn):
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return min(times), result

bk, bk_rejected = best(buildkit)
dw, dw_rejected = best(dockwright)
print(f"files: {len(paths)} ({size / 1e6:.2f} MB), best of {repeat} runs")
print(f"buildkit (Go parser via Python binding): {bk * 1000:8.1f} ms  ({bk_rejected} rejected)")
print(f"dockwright debug parse --check:          {dw * 1000:8.1f} ms  ({dw_rejected} rejected)")
print(f"ratio (buildkit / dockwright): {bk / dw:.1f}x")
PY
