#!/usr/bin/env bash
# Benchmark: `dockwright context` on a 200,000-file build context against `find DIR -type f`,
# plus `--list`, `--measure-excluded` (a stat for every file, node_modules and .git included),
# the hashing speed of `dockwright context --hash`, and `dockwright cache` (the context walk,
# the Dockerfile's sources and the cache-key model for a one-file edit) on the same tree. The
# report includes the Dockerfile analysis (what each COPY copies, findings, cache order).
#
# The tree (a Node/Python monorepo: node_modules, .git objects, sources, a few big assets and a
# .dockerignore) is made once under /tmp and reused; remove it to rebuild:
#   rm -rf /tmp/dockwright-bench-context
# Usage: bench/context.sh [FILES]   (default 200000)
set -euo pipefail
cd "$(dirname "$0")/.."
files=${1:-200000}
tree=/tmp/dockwright-bench-context
bin=target/release/dockwright

if [ ! -f "$tree/.complete-$files" ]; then
  rm -rf "$tree"
  echo "making a $files-file tree under $tree ..."
  python3 - "$tree" "$files" <<'PY'
import os, random, sys
root, total = sys.argv[1], int(sys.argv[2])
random.seed(7)
made = 0
def write(rel, size):
    global made
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(random.randbytes(size) if size > 4096 else b"x" * size)
    made += 1
# Shares of the tree: 72% node_modules, 8% .git, 17% sources and tests, the rest assorted.
nm, git = int(total * 0.72), int(total * 0.08)
src = total - nm - git - 40
pkg = 0
while made < nm:
    pkg += 1
    name = f"node_modules/pkg{pkg:05d}"
    for d in range(random.randint(1, 4)):
        for i in range(random.randint(3, 25)):
            if made >= nm: break
            write(f"{name}/lib{d}/mod{i}.js", random.randint(200, 6000))
    write(f"{name}/package.json", 300)
for i in range(git):
    write(f".git/objects/{i % 256:02x}/{i:038x}", random.randint(100, 3000))
for i in range(src):
    top = ("services", "packages", "tests", "docs")[i % 4]
    write(f"{top}/m{i % 97:02d}/sub{i % 13}/file{i}.{('py','ts','md','json')[i % 4]}", random.randint(100, 8000))
for i in range(30):
    write(f"assets/media{i}.bin", 2_000_000)
for i in range(max(0, total - made)):
    write(f"logs/run{i}.log", 50_000)
with open(os.path.join(root, "Dockerfile"), "w") as f:
    f.write("FROM node:20\nWORKDIR /app\nCOPY package.json ./\nRUN npm ci\nCOPY . .\n")
with open(os.path.join(root, ".dockerignore"), "w") as f:
    f.write("node_modules\n.git\n**/*.log\nassets/*.bin\n!assets/media0.bin\n")
PY
  touch "$tree/.complete-$files"
fi

echo "building release ..."
cargo build --release --quiet -p dockwright

# Wall and CPU time of a command, one run.
run() {
  local s e
  s=$(date +%s.%N)
  /usr/bin/time -f "%U %S" -o /tmp/dockwright-bench-time "$@" >/dev/null
  e=$(date +%s.%N)
  echo "$(echo "$e - $s" | bc) $(awk '{print $1 + $2}' /tmp/dockwright-bench-time)"
}

# The machine may be shared: the tools are run alternately, 5 times each, and each one's best
# wall time (the least disturbed run) and best CPU time are kept.
best() { sort -n | head -1; }
measure() {

  : >/tmp/dockwright-bench-find; : >/tmp/dockwright-bench-report; : >/tmp/dockwright-bench-list
  : >/tmp/dockwright-bench-measure; : >/tmp/dockwright-bench-cache
  for _ in 1 2 3 4 5; do
    run bash -c "find '$tree' -type f | wc -l" >>/tmp/dockwright-bench-find
    run "$bin" context "$tree" >>/tmp/dockwright-bench-report
    run "$bin" context --list "$tree" >>/tmp/dockwright-bench-list
    run "$bin" context --measure-excluded "$tree" >>/tmp/dockwright-bench-measure
    run "$bin" cache --context "$tree" --changed services/m00/sub0/file0.py >>/tmp/dockwright-bench-cache
  done
}

# Warm the page cache and the dentry cache for both tools.
find "$tree" -type f | wc -l >/dev/null
"$bin" context "$tree" >/dev/null

count=$(find "$tree" -type f | wc -l)
measure
find_s=$(cut -d' ' -f1 /tmp/dockwright-bench-find | best)
dw_s=$(cut -d' ' -f1 /tmp/dockwright-bench-report | best)
list_s=$(cut -d' ' -f1 /tmp/dockwright-bench-list | best)
find_cpu=$(cut -d' ' -f2 /tmp/dockwright-bench-find | best)
dw_cpu=$(cut -d' ' -f2 /tmp/dockwright-bench-report | best)
list_cpu=$(cut -d' ' -f2 /tmp/dockwright-bench-list | best)
measure_s=$(cut -d' ' -f1 /tmp/dockwright-bench-measure | best)
measure_cpu=$(cut -d' ' -f2 /tmp/dockwright-bench-measure | best)
cache_s=$(cut -d' ' -f1 /tmp/dockwright-bench-cache | best)
cache_cpu=$(cut -d' ' -f2 /tmp/dockwright-bench-cache | best)
cache_first=$("$bin" cache --format json --context "$tree" --changed services/m00/sub0/file0.py | python3 -c 'import json,sys; f=json.load(sys.stdin)["first_rebuilt"]; print("first rebuilt: line %d, %s" % (f["line"], f["instruction"]))')
hash_json=$("$bin" context --hash --format json "$tree")
hash_rate=$(python3 -c 'import json,sys; h=json.loads(sys.argv[1])["hashing"]; print("%d files, %.1f MB in %.2f s: %.0f MB/s" % (h["files"], h["bytes"]/1e6, h["seconds"], h["bytes_per_second"]/1e6))' "$hash_json")
sent=$(python3 -c 'import json,sys; r=json.loads(sys.argv[1]); print("%d files sent, %d kept out" % (r["sent"]["files"], r["excluded"]["files"]))' "$hash_json")

printf '\ncontext tree: %s files (%s); %s CPUs, load average %s\n' "$count" "$sent" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-44s %8s %10s\n' "" "wall" "CPU (u+s)"
printf '%-44s %6.3f s %8.2f s\n' "find DIR -type f | wc -l" "$find_s" "$find_cpu"
printf '%-44s %6.3f s %8.2f s  (%.2fx find wall, %.2fx CPU)\n' "dockwright context DIR (the report)" "$dw_s" "$dw_cpu" "$(echo "$dw_s / $find_s" | bc -l)" "$(echo "$dw_cpu / $find_cpu" | bc -l)"
printf '%-44s %6.3f s %8.2f s  (%.2fx find wall, %.2fx CPU)\n' "dockwright context --list DIR" "$list_s" "$list_cpu" "$(echo "$list_s / $find_s" | bc -l)" "$(echo "$list_cpu / $find_cpu" | bc -l)"
printf '%-44s %6.3f s %8.2f s  (%.2fx find wall, %.2fx CPU)\n' "dockwright context --measure-excluded DIR" "$measure_s" "$measure_cpu" "$(echo "$measure_s / $find_s" | bc -l)" "$(echo "$measure_cpu / $find_cpu" | bc -l)"
printf '%-44s %6.3f s %8.2f s  (%.2fx find wall; %s)\n' "dockwright cache --context DIR --changed F" "$cache_s" "$cache_cpu" "$(echo "$cache_s / $find_s" | bc -l)" "$cache_first"
printf '%-44s %s\n' "dockwright context --hash DIR" "$hash_rate"
ratio=$(echo "$dw_s / $find_s" | bc -l)
if [ "$(echo "$ratio <= 1.5" | bc)" = 1 ]; then
  echo "target (within 1.5x of find without hashing): met"
else
  echo "target (within 1.5x of find without hashing): NOT met"
fi
