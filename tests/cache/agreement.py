#!/usr/bin/env python3
"""Checks `dockwright cache` against real rebuilds with buildah.

For every project under tests/cache/projects/ it builds the project once (`buildah bud
--layers`) to warm the cache, then for each line of the project's `cases` file: applies the
change to a copy of the project, asks `dockwright cache --format json` what the change
rebuilds, rebuilds with buildah, reads from buildah's output which steps it took from its cache
("--> Using cache" after "STEP n/m: ..."), and compares the two on every RUN, COPY, ADD and
WORKDIR step buildah ran.

What is compared, and what is not (see crates/dockwright-context/src/cache.rs for why):
- Config-only instructions (ENV, LABEL, ARG, CMD, ...) are no build step in BuildKit, whose
  behaviour dockwright models, and a cached layer in buildah: not compared. FROM prints no
  cache line in buildah: not compared.
- Steps dockwright marks not `certain` (they rebuild only if a re-run RUN writes different
  files) are counted apart with buildah's verdict, not compared.
- A case line may end with `| diverges LINE...`: at those Dockerfile lines buildah is known
  to differ from BuildKit (the model follows BuildKit). The test checks that it still does, so
  the documentation stays true.

Case lines: `edit PATH...` (append a unique line: new size and modification time), `add
PATH...` (new file), `delete PATH...`, `touch PATH...` (modification time only: no content
change for either builder), `arg K=V` (the build arg's new value, kept for later cases).

Usage: agreement.py DOCKWRIGHT_BINARY [PROJECT...]. Exits 0 when every compared step agrees
and every documented divergence is observed, 1 otherwise; skips (exit 0, with a note) when
buildah is not installed.
"""

import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PROJECTS = os.path.join(HERE, "projects")
BASE_IMAGE = "localhost/busybox:latest"
STEP_RE = re.compile(r"^(?:\[(\d+)/(\d+)\] )?STEP (\d+)/(\d+): (.*)$")


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)


class Buildah:
    def __init__(self, work):
        self.root = os.path.join(work, "storage")
        self.runroot = os.path.join(work, "run")
        self.base = ["buildah", "--storage-driver", "vfs", "--root", self.root, "--runroot", self.runroot]

    def import_base(self, work):
        """Copies the base image from the default store into this test's own store."""
        os.makedirs(work, exist_ok=True)
        archive = os.path.join(work, "busybox.tar")
        out = run(["buildah", "--storage-driver", "vfs", "push", BASE_IMAGE, "oci-archive:" + archive])
        if out.returncode != 0:
            raise RuntimeError(f"cannot export {BASE_IMAGE}: {out.stdout}")
        out = run(self.base + ["pull", "-q", "oci-archive:" + archive])
        if out.returncode != 0:
            raise RuntimeError(f"cannot import {BASE_IMAGE}: {out.stdout}")
        image_id = out.stdout.strip().splitlines()[-1]
        run(self.base + ["tag", image_id, BASE_IMAGE])

    def build(self, project_dir, tag, build_args):
        cmd = self.base + ["bud", "--layers", "--isolation", "chroot", "-t", tag]
        for k, v in sorted(build_args.items()):
            cmd += ["--build-arg", f"{k}={v}"]
        cmd.append(project_dir)
        out = run(cmd)
        if out.returncode != 0:
            raise RuntimeError(f"buildah bud failed in {project_dir}:\n{out.stdout}")
        return parse_steps(out.stdout)


def parse_steps(output):
    """{(stage index, step index): took it from the cache} from buildah's output."""
    steps = {}
    current = None
    for line in output.splitlines():
        m = STEP_RE.match(line)
        if m:
            stage = int(m.group(1)) - 1 if m.group(1) else 0
            current = (stage, int(m.group(3)) - 1)
            steps[current] = False
        elif line.startswith("--> Using cache ") and current is not None:
            steps[current] = True
    return steps


def read_cases(project):
    cases = []
    with open(os.path.join(PROJECTS, project, "cases")) as f:
        for raw in f:
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            change, _, note = line.partition("|")
            words = change.split()
            diverges = []
            note_words = note.split()
            if note_words[:1] == ["diverges"]:
                diverges = [int(w) for w in note_words[1:]]
            cases.append((words[0], words[1:], diverges))
    return cases


def apply(project_dir, action, operands, args, nonce):
    """Changes the copy; returns the paths dockwright is told about."""
    if action == "arg":
        for kv in operands:
            k, _, v = kv.partition("=")
            args[k] = v
        return []
    for rel in operands:
        path = os.path.join(project_dir, rel)
        if action in ("edit", "add"):
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "a") as f:
                f.write(f"changed {nonce}\n")
        elif action == "delete":
            os.remove(path)
        elif action == "touch":
            later = time.time() + 120
            os.utime(path, (later, later))
        else:
            sys.exit(f"unknown action {action!r}")
    # A touched file has the same content: BuildKit's content checksum ignores mtimes, so
    # dockwright is told nothing changed.
    return [] if action == "touch" else list(operands)


def predict(binary, project_dir, changed, before_args, after_args):
    cmd = [binary, "cache", "--format", "json", "--context", project_dir]
    for k, v in sorted(before_args.items()):
        cmd += ["--build-arg", f"{k}={v}"]
    for k, v in sorted(after_args.items()):
        if before_args.get(k) != v:
            cmd += ["--changed-arg", f"{k}={v}"]
    if changed:
        cmd += ["--changed"] + changed
    out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{out.stderr}")
    return json.loads(out.stdout)


def run_project(binary, work, project):
    """Builds one project through its cases in its own buildah store; returns its report."""
    t0 = time.time()
    root = os.path.join(work, project)
    buildah = Buildah(root)
    totals = dict.fromkeys(("cases", "compared", "agree", "diverged", "uncertain",
                            "uncertain_rebuilt", "not_run"), 0)
    failures = []
    lines = []
    try:
        buildah.import_base(root)
        project_dir = os.path.join(root, "project")
        shutil.copytree(os.path.join(PROJECTS, project), project_dir)
        tag = f"localhost/dwcache-{project}"
        args = {}
        buildah.build(project_dir, tag, args)
        for n, (action, operands, diverges) in enumerate(read_cases(project)):
            before_args = dict(args)
            changed = apply(project_dir, action, operands, args, f"{project}-{n}-{time.time_ns()}")
            prediction = predict(binary, project_dir, changed, before_args, args)
            took = buildah.build(project_dir, tag, args)
            totals["cases"] += 1
            label = f"{project}: {action} {' '.join(operands)}"
            lines.append(label)
            for step in prediction["steps"]:
                if step["op"] not in ("exec", "file") or not step["needed"]:
                    continue
                key = (step["stage_index"], step["index"])
                if key not in took:
                    totals["not_run"] += 1
                    continue
                buildah_says = "cached" if took[key] else "rebuilt"
                mark = "rebuilt" if step["rebuilt"] else "cached"
                line = step["line"]
                if line in diverges:
                    if mark == buildah_says:
                        failures.append(f"{label}: line {line}: documented divergence not observed (both {mark})")
                    else:
                        totals["diverged"] += 1
                    lines.append(f"    line {line:>2} {mark:<7} buildah {buildah_says}  (known divergence)")
                    continue
                if not step["certain"]:
                    totals["uncertain"] += 1
                    totals["uncertain_rebuilt"] += buildah_says == "rebuilt"
                    lines.append(f"    line {line:>2} maybe   buildah {buildah_says}  (depends on a RUN's output)")
                    continue
                totals["compared"] += 1
                if mark == buildah_says:
                    totals["agree"] += 1
                    lines.append(f"    line {line:>2} {mark:<7} agree")
                else:
                    failures.append(f"{label}: line {line} ({step['instruction']}): dockwright says {mark}, "
                                    f"buildah {buildah_says} it ({step['reason']})")
                    lines.append(f"    line {line:>2} {mark:<7} DISAGREE: buildah {buildah_says}")
    except (RuntimeError, OSError, json.JSONDecodeError) as err:
        failures.append(f"{project}: {err}")
    finally:
        run(buildah.base + ["rmi", "--all", "--force"])
    lines.append(f"  ({time.time() - t0:.1f} s)")
    return lines, totals, failures


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    binary = os.path.abspath(sys.argv[1])
    only = sys.argv[2:]
    if shutil.which("buildah") is None:
        print("tests/cache: SKIPPED: buildah is not installed (tests/support/base-images.sh installs it)")
        return 0
    if run(["buildah", "--storage-driver", "vfs", "inspect", "--type", "image", BASE_IMAGE]).returncode != 0:
        print(f"tests/cache: {BASE_IMAGE} is missing: run tests/support/base-images.sh busybox first")
        return 1

    projects = sorted(p for p in os.listdir(PROJECTS) if os.path.isdir(os.path.join(PROJECTS, p)))
    if only:
        projects = [p for p in projects if p in only]
    jobs = int(os.environ.get("DW_CACHE_TEST_JOBS", "2"))
    work = tempfile.mkdtemp(prefix="dockwright-cache-test-")
    started = time.time()
    totals = {}
    failures = []
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
            results = pool.map(lambda p: run_project(binary, work, p), projects)
            for lines, counts, failed in results:
                print("\n".join(lines), flush=True)
                for k, v in counts.items():
                    totals[k] = totals.get(k, 0) + v
                failures += failed
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print()
    print(f"tests/cache: {len(projects)} projects, {totals.get('cases', 0)} changes, "
          f"{totals.get('compared', 0)} steps compared: {totals.get('agree', 0)} agree; "
          f"{totals.get('diverged', 0)} documented buildah divergences observed; "
          f"{totals.get('uncertain', 0)} steps depend on a RUN's output, not compared "
          f"(buildah rebuilt {totals.get('uncertain_rebuilt', 0)}); {time.time() - started:.0f} s")
    if failures:
        print("FAILED:")
        for f in failures:
            print("  " + f)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
