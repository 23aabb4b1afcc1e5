#!/usr/bin/env python3
"""Checks for tests/bench/run.sh on two exported images (docker archives).

Reads each archive's layers in order, applies whiteouts, and compares the final file trees:

  imagecheck.py app-files ORIGINAL.tar OPTIMIZED.tar --path P... [--ignore GLOB...] [--built GLOB...]
      every file under each P is in both images with the same type, mode and content
      (--built: same presence only, for files compiled during the build, whose bytes may differ
      between two builds; --ignore: not compared at all, e.g. byte-code caches)
  imagecheck.py packages ORIGINAL.tar OPTIMIZED.tar [--keep ECO:NAME...] [--may-drop ECO:GLOB...]
                [--npm-root DIR...]
      no package is added or changes version; packages the optimized image lacks must match a
      --may-drop glob ("deb:*" allows any Debian package to go) and never a --keep entry;
      npm packages are read only under the given node_modules roots (npm's own bundled
      packages elsewhere are not the application's)

Exit status 0 when the check passes, 1 when it fails (the reasons on stdout), 2 on bad input.
This reads archives itself because `dockwright diff` lists only the largest changed files; the
package check is the same comparison `dockwright diff` makes, path-aware for npm.
"""

import argparse
import fnmatch
import hashlib
import json
import posixpath
import re
import sys
import tarfile


def norm(name):
    name = posixpath.normpath("/" + name.lstrip("./"))
    return "/" if name == "/" else name.rstrip("/")


def read_tree(archive):
    """path -> dict(type, mode, size, digest, data for package metadata)."""
    tree = {}
    with tarfile.open(archive) as outer:
        manifest = json.load(outer.extractfile("manifest.json"))
        layers = manifest[0]["Layers"]
        for layer_name in layers:
            with tarfile.open(fileobj=outer.extractfile(layer_name)) as layer:
                for m in layer:
                    path = norm(m.name)
                    base = posixpath.basename(path)
                    parent = posixpath.dirname(path)
                    if base == ".wh..wh..opq":
                        for p in [p for p in tree if p.startswith(parent.rstrip("/") + "/")]:
                            del tree[p]
                        continue
                    if base.startswith(".wh."):
                        gone = posixpath.join(parent, base[4:])
                        for p in [p for p in tree if p == gone or p.startswith(gone + "/")]:
                            del tree[p]
                        continue
                    entry = {"mode": m.mode & 0o7777, "size": 0, "digest": None}
                    if m.isdir():
                        entry["type"] = "dir"
                    elif m.issym():
                        entry["type"] = "symlink"
                        entry["digest"] = m.linkname
                    elif m.islnk():
                        target = tree.get(norm(m.linkname))
                        entry = dict(target) if target else {"type": "file", "mode": entry["mode"], "size": 0, "digest": None}
                    elif m.isfile():
                        f = layer.extractfile(m)
                        h = hashlib.sha256()
                        keep = wants_content(path)
                        content = b""
                        while True:
                            chunk = f.read(1 << 20)
                            if not chunk:
                                break
                            h.update(chunk)
                            if keep:
                                content += chunk
                        entry.update(type="file", size=m.size, digest=h.hexdigest())
                        if keep:
                            entry["data"] = content.decode("utf-8", "replace")
                    else:
                        entry["type"] = "other"
                    if entry.get("type") != "dir" and path in tree and tree[path].get("type") == "dir":
                        for p in [p for p in tree if p.startswith(path + "/")]:
                            del tree[p]
                    tree[path] = entry
    return tree


def wants_content(path):
    return (path == "/var/lib/dpkg/status"
            or re.search(r"/node_modules/(@[^/]+/)?[^/]+/package\.json$", path)
            or is_small_json(path))


def is_small_json(path):
    """JSON manifests a build writes (compared as data when their bytes differ)."""
    return path.endswith(".json") and "/node_modules/" not in path


def same_json(ea, eb):
    """Both entries hold JSON that parses to the same value (objects compare without key
    order: build tools write manifests in the order their workers finish)."""
    try:
        return json.loads(ea["data"]) == json.loads(eb["data"])
    except (KeyError, ValueError):
        return False


def packages(tree, npm_roots):
    out = {}
    status = tree.get("/var/lib/dpkg/status", {}).get("data", "")
    for para in status.split("\n\n"):
        fields = dict(re.findall(r"^([A-Za-z-]+): (.*)$", para, re.M))
        if fields.get("Status", "").endswith(" installed") and "Package" in fields:
            out["deb:" + fields["Package"]] = fields.get("Version", "")
    for path, e in tree.items():
        base = posixpath.basename(path)
        parent = posixpath.basename(posixpath.dirname(path))
        if e["type"] == "dir" and parent in ("site-packages", "dist-packages"):
            m = re.match(r"(.+?)-([^-]+)\.(dist-info|egg-info)$", base)
            if m:
                out["python:" + m.group(1).lower().replace("_", "-")] = m.group(2)
        if "data" in e and path.endswith("/package.json") and any(path.startswith(r.rstrip("/") + "/") for r in npm_roots):
            rel = path[: -len("/package.json")]
            # Only packages directly under a node_modules directory (not their test fixtures).
            if not re.search(r"/node_modules/(@[^/]+/)?[^/]+$", rel):
                continue
            try:
                meta = json.loads(e["data"])
            except ValueError:
                continue
            if isinstance(meta, dict) and meta.get("name") and meta.get("version"):
                key = "npm:" + meta["name"]
                # The same package at several depths: keep every version seen.
                out[key] = ",".join(sorted(set(filter(None, out.get(key, "").split(",") + [meta["version"]]))))
    return out


def cmd_app_files(args):
    a, b = read_tree(args.original), read_tree(args.optimized)
    problems, compared, built = [], 0, 0

    def under(p, root):
        return p == root or p.startswith(root.rstrip("/") + "/")

    def matches(p, globs):
        return any(fnmatch.fnmatchcase(p, g) for g in globs)

    for root in args.path:
        in_a = {p for p in a if under(p, root) and not matches(p, args.ignore)}
        in_b = {p for p in b if under(p, root) and not matches(p, args.ignore)}
        if not in_a:
            problems.append(f"{root}: not in the original image (wrong path in the project's expectations?)")
            continue
        for p in sorted(in_a - in_b):
            problems.append(f"missing in the optimized image: {p}")
        for p in sorted(in_b - in_a):
            problems.append(f"only in the optimized image: {p}")
        for p in sorted(in_a & in_b):
            ea, eb = a[p], b[p]
            if ea["type"] != eb["type"]:
                problems.append(f"{p}: {ea['type']} became {eb['type']}")
            elif matches(p, args.built):
                built += 1
            elif ea["digest"] != eb["digest"] and not same_json(ea, eb):
                problems.append(f"{p}: content differs ({ea['size']} vs {eb['size']} bytes)")
            elif ea["mode"] & 0o111 != eb["mode"] & 0o111:
                problems.append(f"{p}: executable bit differs ({oct(ea['mode'])} vs {oct(eb['mode'])})")
            else:
                compared += 1
    for p in problems[:40]:
        print("  " + p)
    if len(problems) > 40:
        print(f"  … and {len(problems) - 40} more")
    print(f"  {compared} files identical, {built} built files present in both, under {', '.join(args.path)}")
    return 1 if problems else 0


def cmd_packages(args):
    pa = packages(read_tree(args.original), args.npm_root)
    pb = packages(read_tree(args.optimized), args.npm_root)
    problems, dropped = [], []
    for key, version in sorted(pb.items()):
        if key not in pa:
            problems.append(f"added in the optimized image: {key} {version}")
        elif pa[key] != version:
            problems.append(f"version changed: {key} {pa[key]} -> {version}")
    for key in sorted(set(pa) - set(pb)):
        if key in args.keep:
            problems.append(f"runtime package missing from the optimized image: {key} {pa[key]}")
        elif any(fnmatch.fnmatchcase(key, g) for g in args.may_drop):
            dropped.append(key)
        else:
            problems.append(f"missing from the optimized image and not a build-only package: {key} {pa[key]}")
    for key in args.keep:
        if key not in pa:
            problems.append(f"{key}: not in the original image (wrong name in the project's expectations?)")
    for p in problems[:40]:
        print("  " + p)
    if len(problems) > 40:
        print(f"  … and {len(problems) - 40} more")
    kinds = {}
    for k in dropped:
        kinds[k.split(":")[0]] = kinds.get(k.split(":")[0], 0) + 1
    print(
        f"  {len(pb)} packages in the optimized image, all in the original at the same version; "
        f"{len(dropped)} build-only packages dropped ({', '.join(f'{n} {k}' for k, n in sorted(kinds.items())) or 'none'})"
    )
    return 1 if problems else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    f = sub.add_parser("app-files")
    f.add_argument("original")
    f.add_argument("optimized")
    f.add_argument("--path", action="append", default=[], required=True)
    f.add_argument("--ignore", action="append", default=[])
    f.add_argument("--built", action="append", default=[])
    p = sub.add_parser("packages")
    p.add_argument("original")
    p.add_argument("optimized")
    p.add_argument("--keep", action="append", default=[])
    p.add_argument("--may-drop", action="append", default=[])
    p.add_argument("--npm-root", action="append", default=[])
    args = ap.parse_args()
    try:
        return cmd_app_files(args) if args.cmd == "app-files" else cmd_packages(args)
    except (OSError, KeyError, ValueError, tarfile.TarError) as e:
        print(f"imagecheck: cannot read the images: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
