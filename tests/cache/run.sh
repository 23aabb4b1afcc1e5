#!/usr/bin/env bash
# The cache model against real rebuilds: builds the projects under tests/cache/projects with
# buildah (--layers, vfs storage, chroot isolation, on localhost/busybox from
# tests/support/base-images.sh), applies each change in their `cases` files, and checks that
# `dockwright cache --format json` predicts every rebuilt and cached step buildah reports.
# Installs nothing: skips with a note when buildah is absent. See tests/cache/README.md.
# Usage: tests/cache/run.sh [PROJECT...]   (DOCKWRIGHT=path/to/binary to test another build;
# DW_CACHE_TEST_JOBS=N projects at once, default 2)
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${DOCKWRIGHT:-target/release/dockwright}
if [ -z "${DOCKWRIGHT:-}" ]; then
  cargo build --release --quiet -p dockwright
fi
exec python3 tests/cache/agreement.py "$bin" "$@"
