#!/usr/bin/env bash
# Integration test of `dockwright optimize` + `dockwright bench` (issue #6) on the projects in
# examples/bench/: for each, optimize it, build original and optimized with buildah on local
# base images, and check the acceptance conditions:
#   - the optimized image is smaller (the log says by how much);
#   - it has the same CMD, ENTRYPOINT, WORKDIR, EXPOSE and ENV (USER may become non-root);
#   - the application files and the runtime's packages are the same
#     (tests/bench/projects/NAME.conf says which; tests/bench/imagecheck.py compares);
#   - a rebuild after a source edit takes the dependency layer from cache;
#   - both images run the project's smoke command with the same output.
# Until `dockwright optimize` exists, each project is compared with a copy of its own
# Dockerfile (one LABEL added), which checks what can be checked without it: every project
# builds, `bench --against` works, and the rebuild's cache reading is right.
#
# Usage: tests/bench/run.sh                         every project
#        ONLY=python-cext tests/bench/run.sh        one (or a comma-separated list)
# Environment:
#   DOCKWRIGHT=PATH        the binary (default: target/release/dockwright, built if missing)
#   DW_BENCH_STORAGE=vfs|overlay   storage driver (default: overlay when this kernel mounts it,
#                          in its own storage root; vfs otherwise: slower, it copies every layer)
#   DW_BENCH_OUT=DIR       where reports, exported images and logs go (default: a temp dir,
#                          removed at the end unless KEEP_OUT=1)
#   JOBS=N                 projects benchmarked at once (default 1; more finishes sooner but
#                          the builds share the CPU, so the times in the reports grow)
#   DW_BENCH_AGAINST_DIR=DIR   test the checks themselves: use DIR/NAME.Dockerfile as the
#                          optimized Dockerfile instead of running optimize. Never the
#                          acceptance run: its results must come from `dockwright optimize`.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
here="$root/tests/bench"

# ---------------------------------------------------------------------------- output helpers
failures=()
current=""
say() { printf '%s\n' "$*"; }
head2() { printf '\n=== %s (%s)\n' "$1" "$(date -u +%H:%M:%S)"; }
pass() { say "  PASS  $current: $*"; }
fail() {
  say "  FAIL  $current: $*"
  failures+=("$current: $*")
  [ -n "${failure_file:-}" ] && printf '%s: %s\n' "$current" "$*" >>"$failure_file"
  return 0
}
skip() { say "  SKIP  $current: $*"; }
# jq-like access to a JSON file without jq: json FILE 'expr on d'
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }

# ---------------------------------------------------------------------------- set-up
out=${DW_BENCH_OUT:-$(mktemp -d /tmp/dockwright-bench.XXXXXX)}
mkdir -p "$out"
cleanup_out() { if [ -z "${DW_BENCH_OUT:-}" ] && [ -z "${KEEP_OUT:-}" ]; then rm -rf "$out"; fi; }
trap cleanup_out EXIT

dw=${DOCKWRIGHT:-$root/target/release/dockwright}
if [ -z "${DOCKWRIGHT:-}" ] && [ ! -x "$dw" ]; then
  cargo build --release --locked -p dockwright >/dev/null
fi

overlay_works() {
  local t
  t=$(mktemp -d)
  mkdir -p "$t"/{l,u,w,m}
  if mount -t overlay overlay -o "lowerdir=$t/l,upperdir=$t/u,workdir=$t/w" "$t/m" 2>/dev/null; then
    umount "$t/m"
    rm -rf "$t"
    return 0
  fi
  rm -rf "$t"
  return 1
}

setup_storage() {
  local driver=${DW_BENCH_STORAGE:-}
  if [ -z "$driver" ]; then
    if overlay_works; then driver=overlay; else driver=vfs; fi
  fi
  export STORAGE_DRIVER=$driver
  if [ "$driver" = overlay ]; then
    # Its own root: a storage root keeps the driver it was made with (the default one is vfs).
    local conf=/var/lib/dockwright-bench/storage.conf
    mkdir -p /var/lib/dockwright-bench
    printf '[storage]\ndriver = "overlay"\nrunroot = "/run/dockwright-bench/storage"\ngraphroot = "/var/lib/dockwright-bench/storage"\n' >"$conf"
    export CONTAINERS_STORAGE_CONF=$conf
  fi
  say "storage driver: $driver${CONTAINERS_STORAGE_CONF:+ (root /var/lib/dockwright-bench/storage)}"
}

optimize_available() { "$dw" optimize --help >/dev/null 2>&1; }

# Writes DIR/Dockerfile.optimized (and whatever ignore file it decides on) for project DIR.
# This is the one line to adapt to the optimize command's final interface.
run_optimize() {
  local dir=$1
  "$dw" optimize --output "$dir/Dockerfile.optimized" "$dir"
}

# Without optimize: the same Dockerfile plus a LABEL, a second Dockerfile bench can compare.
make_stand_in() {
  local dir=$1
  { cat "$dir/Dockerfile"; printf '\nLABEL org.dockwright.bench="stand-in for dockwright optimize"\n'; } \
    >"$dir/Dockerfile.optimized"
}

# ---------------------------------------------------------------------------- checks
# Each check reads the bench report ($report) and the project's expectations (sourced .conf).

check_builds() {
  if [ -s "$report" ]; then pass "original and optimized build ($(json "$report" '"%.0f s and %.0f s" % (d["original"]["first_build"]["seconds"], d["optimized"]["first_build"]["seconds"])'))"
  else fail "bench produced no report (see $log)"; return 1; fi
}

check_smaller() {
  local line
  line=$(json "$report" '"%d -> %d bytes, %.1f MB smaller (%.1f %%)" % (d["original"]["size"], d["optimized"]["size"], d["improvement"]["size_bytes"] / 1e6, d["improvement"]["size_percent"])')
  if [ "$(json "$report" 'int(d["optimized"]["size"] < d["original"]["size"])')" = 1 ]; then pass "smaller: $line"
  else fail "not smaller: $line"; fi
}

check_config() {
  local diffs
  diffs=$(json "$report" '" ".join(x for x in d["improvement"]["config_differences"] if x != "user")')
  if [ -z "$diffs" ]; then pass "same CMD, ENTRYPOINT, WORKDIR, EXPOSE, ENV (USER: $(json "$report" 'repr(d["original"]["config"]["user"]) + " -> " + repr(d["optimized"]["config"]["user"])'))"
  else fail "run-time settings differ: $diffs"; fi
}

# A correct cache reading of a rebuild after one file changed: in each stage, nothing is rebuilt
# before the first rebuilt step, which is a COPY or ADD (only they see the file) unless the stage
# starts from another stage (buildah prints its id), and every later step of the stage is
# rebuilt too.
check_cache_chain() {
  local side=$1 result
  result=$(json "$report" "__import__('json').dumps(d['$side']['rebuild']['steps'])" | python3 -c '
import json, sys
steps = json.load(sys.stdin)
stages = {}
for s in steps:
    stages.setdefault(s.get("stage") or s.get("stage_name") or 1, []).append(s)
problems, first_rebuilt = [], []
for stage, ss in stages.items():
    built = [i for i, s in enumerate(ss) if s["outcome"] == "built"]
    if not built:
        continue
    i = built[0]
    kw = ss[i]["instruction"].split()[0].upper()
    first_rebuilt.append(ss[i]["instruction"])
    base = ss[0]["instruction"].split()
    from_stage = ss[0]["outcome"] == "base" and len(base) > 1 and len(base[1]) == 64 and all(c in "0123456789abcdef" for c in base[1])
    if kw not in ("COPY", "ADD") and not from_stage:
        problems.append("stage %s: first rebuilt step is not a COPY/ADD: %s" % (stage, ss[i]["instruction"]))
    for s in ss[i + 1:]:
        if s["outcome"] == "cached":
            problems.append("stage %s: %s cached after an invalidated step" % (stage, s["instruction"]))
print("; ".join(problems) if problems else "ok: first rebuilt " + " | ".join(first_rebuilt or ["nothing"]))
')
  if [[ $result == ok:* ]]; then pass "$side rebuild cache reading consistent (${result#ok: })"
  else fail "$side rebuild: $result"; fi
}

# Whether a step matching DEP_STEP came from cache in SIDE's rebuild: prints cached/rebuilt/absent.
dep_step_outcome() {
  json "$report" "(lambda m: 'cached' if 'cached' in m else ('rebuilt' if m else 'absent'))([s['outcome'] for s in d['$1']['rebuild']['steps'] if __import__('re').search(r'''$DEP_STEP''', s['instruction'])])"
}

check_dependency_cached() {
  local o
  o=$(dep_step_outcome optimized)
  case $o in
    cached) pass "optimized rebuild took the dependency step (/$DEP_STEP/) from cache" ;;
    *) fail "optimized rebuild: dependency step /$DEP_STEP/ $o" ;;
  esac
}

# The original Dockerfiles install dependencies after `COPY . .` (except where the dependency
# layer is the toolchain itself), so their rebuild redoes it: for the log, not a check.
note_original_dependency_step() {
  say "  INFO  $current: original rebuild: dependency step /$DEP_STEP/ $(dep_step_outcome original)"
}

check_files_and_packages() {
  local a=$out/$name/images/original.tar b=$out/$name/images/optimized.tar args=() p g k r added
  if [ ! -f "$a" ] || [ ! -f "$b" ]; then fail "no exported images"; return; fi
  if [ ${#APP_PATHS[@]} -gt 0 ]; then
    for p in "${APP_PATHS[@]}"; do args+=(--path "$p"); done
    for g in "${BUILT_GLOBS[@]}"; do args+=(--built "$g"); done
    for g in "${IGNORE_GLOBS[@]}"; do args+=(--ignore "$g"); done
    if python3 "$here/imagecheck.py" app-files "$a" "$b" "${args[@]}" >"$out/$name/app-files.txt"; then
      pass "same application files: $(tail -1 "$out/$name/app-files.txt" | sed 's/^ *//')"
    else fail "application files differ:"; cat "$out/$name/app-files.txt"; fi
  fi
  args=()
  for k in "${KEEP_PACKAGES[@]}"; do args+=(--keep "$k"); done
  for g in "${MAY_DROP[@]}"; do args+=(--may-drop "$g"); done
  for r in "${NPM_ROOTS[@]}"; do args+=(--npm-root "$r"); done
  if python3 "$here/imagecheck.py" packages "$a" "$b" "${args[@]}" >"$out/$name/packages.txt"; then
    pass "same runtime packages: $(tail -1 "$out/$name/packages.txt" | sed 's/^ *//')"
  else fail "packages differ:"; cat "$out/$name/packages.txt"; fi
  if "$dw" diff --help >/dev/null 2>&1; then
    if "$dw" diff --format json "docker-archive:$a" "docker-archive:$b" >"$out/$name/diff.json" 2>"$out/$name/diff.err"; then
      pass "dockwright diff: $(json "$out/$name/diff.json" '"%d files removed, %d added, %d changed; %d package changes" % (d["files_removed"], d["files_added"], d["files_changed"], len(d["packages"]))')"
      # dockwright's own package comparison must agree: nothing added or changed in version.
      added=$(json "$out/$name/diff.json" '" ".join("%s:%s" % (p["ecosystem"], p["name"]) for p in d["packages"] if p["after"] is not None and p["ecosystem"] in ("deb", "python"))')
      if [ -n "$added" ]; then fail "dockwright diff: packages added or changed: $added"; fi
    else fail "dockwright diff failed: $(head -3 "$out/$name/diff.err")"; fi
  else
    skip "dockwright diff not available yet (branch image)"
  fi
}

# Runs SMOKE in an image, as its user and in its working directory.
smoke_in() {
  local image=$1 ctr
  ctr=$(buildah --storage-driver "$STORAGE_DRIVER" from --quiet "$image")
  local user workdir
  user=$(buildah --storage-driver "$STORAGE_DRIVER" inspect --format '{{.OCIv1.Config.User}}' "$ctr")
  workdir=$(buildah --storage-driver "$STORAGE_DRIVER" inspect --format '{{.OCIv1.Config.WorkingDir}}' "$ctr")
  buildah --storage-driver "$STORAGE_DRIVER" run --isolation chroot ${user:+--user "$user"} ${workdir:+--workingdir "$workdir"} \
    "$ctr" -- sh -c "$SMOKE" 2>&1 || echo "exit status $?"
  buildah --storage-driver "$STORAGE_DRIVER" rm "$ctr" >/dev/null
}

# buildah run under chroot isolation has been seen to print nothing, with status 0, for a
# command that prints (once, on a loaded machine); an empty answer is asked again, twice.
smoke_output() {
  local image=$1 out="" try
  for try in 1 2 3; do
    out=$(smoke_in "$image")
    [ -n "$out" ] && break
    say "  (smoke test of $image printed nothing; try $try of 3)" >&2
  done
  printf '%s' "$out"
}

check_smoke() {
  [ -n "${SMOKE:-}" ] || return 0
  local a b
  a=$(smoke_output "$(json "$report" 'd["original"]["image"]')")
  b=$(smoke_output "$(json "$report" 'd["optimized"]["image"]')")
  if [ -n "$a" ] && [ "$a" = "$b" ] && [[ $a != *"exit status"* ]]; then pass "smoke test output identical: $a"
  else fail "smoke test: original said '$a', optimized said '$b'"; fi
}

remove_kept_images() {
  local img side
  for side in original optimized; do
    img=$(json "$report" "d['$side']['image'] or ''" 2>/dev/null || true)
    [ -n "$img" ] && buildah --storage-driver "$STORAGE_DRIVER" rmi "$img" >/dev/null 2>&1 || true
  done
}

# ---------------------------------------------------------------------------- one project
bench_project() {
  name=$1
  current=$name
  head2 "$name"
  local src=$root/examples/bench/$name dir=$out/$name/src
  report=$out/$name/report.json
  log=$out/$name/bench.log
  rm -rf "${out:?}/${name:?}" && mkdir -p "$out/$name"
  cp -a "$src" "$dir"
  # shellcheck source=/dev/null
  source "$here/projects/$name.conf"

  local mode=optimize
  if [ -n "${DW_BENCH_AGAINST_DIR:-}" ]; then
    cp "$DW_BENCH_AGAINST_DIR/$name.Dockerfile" "$dir/Dockerfile.optimized"
    [ -f "$DW_BENCH_AGAINST_DIR/$name.Dockerfile.dockerignore" ] \
      && cp "$DW_BENCH_AGAINST_DIR/$name.Dockerfile.dockerignore" "$dir/Dockerfile.optimized.dockerignore"
    say "  NOT AN ACCEPTANCE RUN: optimized Dockerfile taken from $DW_BENCH_AGAINST_DIR"
  elif optimize_available; then
    if ! run_optimize "$dir" >"$out/$name/optimize.log" 2>&1; then
      fail "dockwright optimize failed: $(tail -5 "$out/$name/optimize.log")"; return
    fi
    say "  optimized Dockerfile:"; sed 's/^/    | /' "$dir/Dockerfile.optimized"
  else
    mode=stand-in
    make_stand_in "$dir"
    say "  dockwright optimize is not available yet: comparing with a stand-in (Dockerfile + LABEL)"
  fi

  local export=()
  # The exported images are read by the file and package checks, which need optimize.
  [ "$mode" = optimize ] && export=(--export "$out/$name/images")
  if ! "$dw" bench --format json --keep "${export[@]}" "$dir" >"$report" 2>"$log"; then
    fail "dockwright bench failed:"; tail -25 "$log" | sed 's/^/    /'; return
  fi
  python3 - "$report" <<'PY' | sed 's/^/  /'
import json, sys
d = json.load(open(sys.argv[1]))
o, p = d["original"], d["optimized"]
print("touched %s" % d["touched"]["path"])
print("%-22s %12s %12s" % ("", "original", "optimized"))
print("%-22s %11.1fs %11.1fs" % ("first build", o["first_build"]["seconds"], p["first_build"]["seconds"]))
print("%-22s %11.1fs %11.1fs" % ("rebuild after edit", o["rebuild"]["seconds"], p["rebuild"]["seconds"]))
print("%-22s %10.1fMB %10.1fMB" % ("size", o["size"] / 1e6, p["size"] / 1e6))
print("%-22s %12d %12d" % ("layers", o["layers"], p["layers"]))
PY

  check_builds || return
  check_cache_chain original
  check_cache_chain optimized
  note_original_dependency_step
  if [ "$mode" = optimize ]; then
    check_smaller
    check_config
    check_dependency_cached
    check_files_and_packages
    check_smoke
  else
    # The stand-in differs by a LABEL only: the same layers and, up to what a build leaves
    # differently each time (Next's traces and caches, tar padding), the same size.
    if [ "$(json "$report" 'int(d["original"]["layers"] == d["optimized"]["layers"] and abs(d["original"]["size"] - d["optimized"]["size"]) <= d["original"]["size"] // 100)')" = 1 ]; then
      pass "stand-in has the original's layers and size ($(json "$report" '"%d layers; %.1f MB and %.1f MB" % (d["original"]["layers"], d["original"]["size"] / 1e6, d["optimized"]["size"] / 1e6)'))"
    else fail "stand-in differs from the original in layers or by more than 1 % in size"; fi
    check_config
    check_smoke
    skip "size, files, packages and dependency-cache checks need dockwright optimize"
  fi
  remove_kept_images
  [ -n "${KEEP_OUT:-}" ] || rm -rf "$out/$name/images"
}

# ---------------------------------------------------------------------------- main
head2 "set-up"
setup_storage
bash "$root/tests/support/base-images.sh" busybox debian cuda | sed 's/^/  /'

projects=(python-cext node-next go-service rust-service java-maven ml-cuda)
if [ -n "${ONLY:-}" ]; then IFS=, read -r -a projects <<<"$ONLY"; fi
for project in "${projects[@]}"; do
  [ -d "$root/examples/bench/$project" ] && [ -f "$here/projects/$project.conf" ] || { say "unknown project: $project"; exit 2; }
done
if [ -n "${DW_BENCH_AGAINST_DIR:-}" ]; then say "optimized Dockerfiles from $DW_BENCH_AGAINST_DIR (a test of the checks, not of optimize)"
elif optimize_available; then say "dockwright optimize: available"; else say "dockwright optimize: not available yet (stand-in mode)"; fi

jobs=${JOBS:-1}
if [ "$jobs" -le 1 ]; then
  for project in "${projects[@]}"; do bench_project "$project"; done
else
  # Each project in its own subshell, its output in a file printed when it is done; failures
  # come back through a file per project.
  running=0
  mkdir -p "$out/.runs"
  for project in "${projects[@]}"; do
    ( failure_file=$out/.runs/$project.failures; : >"$failure_file"; bench_project "$project"; : >"$out/.runs/$project.done" ) >"$out/.runs/$project.out" 2>&1 &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then wait -n || true; running=$((running - 1)); fi
  done
  wait || true
  for project in "${projects[@]}"; do
    cat "$out/.runs/$project.out"
    while IFS= read -r line; do failures+=("$line"); done <"$out/.runs/$project.failures"
    [ -f "$out/.runs/$project.done" ] || failures+=("$project: the harness stopped before its checks ended (output above)")
  done
fi

head2 "summary"
if [ ${#failures[@]} -eq 0 ]; then
  say "all checks passed for ${#projects[@]} projects (${projects[*]})"
  exit 0
fi
say "${#failures[@]} failed checks:"
printf '  - %s\n' "${failures[@]}"
exit 1
