#!/usr/bin/env bash
# Discovery speed: generates a repository-like tree under /tmp with ~500 build definitions
# (Dockerfiles and variants, compose files with overrides and .env, OpenShift BuildConfigs with
# inline Dockerfiles, GitHub Actions workflows with matrices, docker-bake files) among source
# files, a .gitignore'd build directory and node_modules (both skipped), then times
# `dockwright discover --format json` on it (one process, start-up included; best of REPEAT).
# No other tool discovers builds across these formats, so there is no peer to compare with;
# the figure to watch is wall time (well under a second) and files per second.
#
# usage: bench/discover.sh [DEFINITIONS]   (default 500; REPEAT=10, KEEP=1 keeps the tree)
set -euo pipefail
cd "$(dirname "$0")/.."
definitions=${1:-500}
repeat=${REPEAT:-10}

cargo build --release -q -p dockwright
bin=$(pwd)/target/release/dockwright
tree=$(mktemp -d /tmp/dw-bench-discover.XXXXXX)
if [ -z "${KEEP:-}" ]; then trap 'rm -rf "$tree"' EXIT; fi

python3 - "$tree" "$definitions" <<'PY'
import os, sys

root, total = sys.argv[1], int(sys.argv[2])

def write(path, text):
    path = os.path.join(root, path)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)

DOCKERFILE = """# syntax=docker/dockerfile:1
ARG BASE=python:3.12-slim
FROM ${{BASE}} AS deps
WORKDIR /app
COPY requirements.txt .
RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt
FROM deps AS build
COPY . .
RUN python -m compileall src
FROM build AS test
RUN python -m pytest
FROM python:3.12-slim AS runtime
COPY --from=build /app /app
USER 1001
CMD ["python", "-m", "svc{n}"]
"""

made = 0
def count(n=1):
    global made
    made += n

# Services: a Dockerfile each (a fifth with a .dev variant), grouped into compose projects
# of four services with an override file and a .env.
services = int(total * 0.55)
for i in range(services):
    write(f"services/svc{i}/Dockerfile", DOCKERFILE.format(n=i))
    write(f"services/svc{i}/requirements.txt", "flask\n")
    for j in range(6):
        write(f"services/svc{i}/src/mod{j}.py", f"def f{j}():\n    return {j}\n")
    count()
    if i % 5 == 0:
        write(f"services/svc{i}/Dockerfile.dev", DOCKERFILE.format(n=i).replace("runtime", "dev"))
        count()
projects = services // 4
for p in range(projects):
    lines = ["name: project{p}".format(p=p), "services:"]
    for k in range(4):
        i = p * 4 + k
        lines += [
            f"  svc{i}:",
            "    build:",
            f"      context: ../../services/svc{i}",
            "      target: ${TARGET:-runtime}",
            "      args:",
            "        BASE: ${BASE_IMAGE:-python:3.12-slim}",
            f"    image: registry.example.com/svc{i}:${{TAG:-latest}}",
        ]
    lines += ["  db:", "    image: postgres:16"]
    write(f"deploy/project{p}/compose.yaml", "\n".join(lines) + "\n")
    write(f"deploy/project{p}/compose.override.yaml",
          f"services:\n  svc{p * 4}:\n    build:\n      target: test\n")
    write(f"deploy/project{p}/.env", "TAG=1.0\nBASE_IMAGE=python:3.12\n")
    count(2)

# OpenShift BuildConfigs with inline Dockerfiles (two per file, in a List).
while made < total * 0.85:
    n = made
    items = []
    for k in range(2):
        items.append(f"""- apiVersion: build.openshift.io/v1
  kind: BuildConfig
  metadata:
    name: bc{n}-{k}
  spec:
    source:
      type: Dockerfile
      dockerfile: |
        FROM registry.access.redhat.com/ubi9/python-311
        USER 0
        RUN dnf install -y gcc && dnf clean all
        RUN pip install numpy pandas
        USER 1001
    strategy:
      dockerStrategy:
        buildArgs:
        - name: VERSION
          value: "{n}"
""")
    write(f"openshift/bc{n}.yaml", "apiVersion: v1\nkind: List\nitems:\n" + "".join(items))
    count()

# GitHub Actions workflows with a matrix, and docker-bake files.
w = 0
while made < total * 0.95:
    write(f"repos/r{w}/.github/workflows/images.yml", f"""name: images
on: push
jobs:
  build:
    strategy:
      matrix:
        target: [deps, build, runtime]
    steps:
      - uses: actions/checkout@v4
      - uses: docker/build-push-action@v6
        with:
          context: .
          target: ${{{{ matrix.target }}}}
          build-args: |
            BASE=python:3.12
      - run: docker build -f Dockerfile --target test .
""")
    write(f"repos/r{w}/Dockerfile", DOCKERFILE.format(n=w))
    w += 1
    count(2)
b = 0
while made < total:
    write(f"bake/b{b}/docker-bake.hcl", f"""variable "TAG" {{ default = "latest" }}
group "default" {{ targets = ["app", "worker"] }}
target "_base" {{ args = {{ BASE = "python:3.12" }} }}
target "app" {{
  inherits = ["_base"]
  context = "../../services/svc{b}"
  target = "runtime"
  tags = ["reg/app{b}:${{TAG}}"]
}}
target "worker" {{
  inherits = ["_base"]
  dockerfile-inline = <<-EOT
    FROM python:3.12
    RUN pip install celery
    EOT
}}
""")
    b += 1
    count()

# Noise: source files, a git-ignored build directory and node_modules, both skipped.
for i in range(300):
    write(f"web/src/components/c{i}.js", f"export const c{i} = {i};\n")
for i in range(2000):
    write(f"web/node_modules/pkg{i % 200}/lib/f{i}.js", "module.exports = 1;\n")
    if i % 10 == 0:
        write(f"web/node_modules/pkg{i}/Dockerfile", "FROM node\n")
for i in range(500):
    write(f"build/out{i}/Dockerfile", "FROM scratch\n")
write(".gitignore", "build/\n")
print(made)
PY

files=$(find "$tree" -type f | wc -l)
"$bin" discover --format json "$tree" > /tmp/dw-bench-discover.json || true

python3 - "$bin" "$tree" "$repeat" "$files" <<'PY'
import json, subprocess, sys, time

binary, tree, repeat, files = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
times = []
for _ in range(repeat):
    t = time.perf_counter()
    out = subprocess.run([binary, "discover", "--format", "json", tree], capture_output=True)
    times.append(time.perf_counter() - t)
result = json.loads(out.stdout)
best = min(times)
scanned = result["files_scanned"]
inline = sum(1 for b in result["builds"] if b["dockerfile"]["type"] == "inline")
print(f"tree: {files} files; {scanned} definition files read; "
      f"{len(result['builds'])} builds ({inline} inline), {len(result['dockerfiles'])} Dockerfiles, "
      f"{len(result['problems'])} problems")
print(f"dockwright discover: best {best * 1000:.1f} ms, median {sorted(times)[len(times) // 2] * 1000:.1f} ms "
      f"of {repeat} runs")
print(f"definition files/second: {scanned / best:,.0f}   tree files/second: {files / best:,.0f}")
PY
