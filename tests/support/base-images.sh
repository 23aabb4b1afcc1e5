#!/usr/bin/env bash
# Makes the local base images that dockwright's build tests use, with buildah on vfs storage.
# No image registry is reachable from the test machines, so every base is made here:
#   localhost/busybox:latest                 static busybox on FROM scratch (fast cache tests)
#   localhost/debian:bookworm                debootstrap minbase (apt/pip/npm builds)
#   localhost/cuda:12-devel, :12-runtime     CUDA-style pair on top of debian: the devel
#                                            variant carries a compiler toolchain, headers and
#                                            big static libraries the runtime variant lacks
# The host's CA bundle goes into the debian base (and its env points at it) because package
# registries are reached through a TLS-intercepting egress proxy on these machines.
# Idempotent: an image that exists is kept. Usage: base-images.sh [busybox|debian|cuda]...
set -euo pipefail

# vfs works everywhere; overlay (much faster: no full copy per step) where the kernel allows
# it, in its own storage root (CONTAINERS_STORAGE_CONF), as tests/bench/run.sh sets up.
export STORAGE_DRIVER=${STORAGE_DRIVER:-vfs}
BUILDAH=(buildah --storage-driver "$STORAGE_DRIVER")
work=${DW_BASE_WORK:-/tmp/dockwright-base-images}
mkdir -p "$work"

have_image() { "${BUILDAH[@]}" inspect --type image "$1" >/dev/null 2>&1; }
bud() { "${BUILDAH[@]}" bud --isolation chroot --layers -q "$@" >/dev/null; }

need_tools() {
  local missing=()
  command -v buildah >/dev/null || missing+=(buildah)
  command -v debootstrap >/dev/null || missing+=(debootstrap)
  [ -x /bin/busybox ] && /bin/busybox --list 2>/dev/null | grep -qx sh || missing+=(busybox-static)
  if [ ${#missing[@]} -gt 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

make_busybox() {
  have_image localhost/busybox:latest && return 0
  local d="$work/busybox"
  rm -rf "$d" && mkdir -p "$d/root/bin" "$d/root/tmp" "$d/root/etc"
  cp /bin/busybox "$d/root/bin/busybox"
  for applet in $("$d/root/bin/busybox" --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$d/root/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' > "$d/root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' > "$d/root/etc/group"
  tar -C "$d/root" -cf "$d/rootfs.tar" .
  printf 'FROM scratch\nADD rootfs.tar /\nENV PATH=/bin\nCMD ["/bin/sh"]\n' > "$d/Dockerfile"
  bud -t localhost/busybox:latest "$d"
}

make_debian() {
  have_image localhost/debian:bookworm && return 0
  local d="$work/debian"
  mkdir -p "$d"
  if [ ! -f "$d/rootfs.tar" ]; then
    rm -rf "$d/root"
    debootstrap --variant=minbase bookworm "$d/root" http://deb.debian.org/debian >"$d/debootstrap.log" 2>&1 \
      || { tail -20 "$d/debootstrap.log" >&2; exit 1; }
    rm -rf "$d/root/var/cache/apt/archives/"*.deb "$d/root/var/lib/apt/lists/"*
    tar -C "$d/root" -cf "$d/rootfs.tar.tmp" . && mv "$d/rootfs.tar.tmp" "$d/rootfs.tar"
    rm -rf "$d/root"
  fi
  rm -rf "$d/ca" "$d/dpkg" && mkdir -p "$d/ca" "$d/dpkg"
  # As in Docker's official Debian images: dpkg skips its fsync calls, which a throwaway build
  # container does not need and which dominate package installation on slow disks.
  echo force-unsafe-io > "$d/dpkg/docker-apt-speedup"
  cp /etc/ssl/certs/ca-certificates.crt "$d/ca/host-ca-bundle.crt"
  cp /usr/local/share/ca-certificates/*.crt "$d/ca/" 2>/dev/null || true
  cat > "$d/Dockerfile" <<'DOCKERFILE'
FROM scratch
ADD rootfs.tar /
COPY ca/ /usr/local/share/ca-certificates/
COPY ca/host-ca-bundle.crt /etc/ssl/host-ca-bundle.crt
COPY dpkg/docker-apt-speedup /etc/dpkg/dpkg.cfg.d/docker-apt-speedup
ENV SSL_CERT_FILE=/etc/ssl/host-ca-bundle.crt \
    PIP_CERT=/etc/ssl/host-ca-bundle.crt \
    REQUESTS_CA_BUNDLE=/etc/ssl/host-ca-bundle.crt \
    NODE_EXTRA_CA_CERTS=/etc/ssl/host-ca-bundle.crt \
    CURL_CA_BUNDLE=/etc/ssl/host-ca-bundle.crt \
    GIT_SSL_CAINFO=/etc/ssl/host-ca-bundle.crt
CMD ["bash"]
DOCKERFILE
  bud -t localhost/debian:bookworm "$d"
}

make_cuda() {
  make_debian
  local d="$work/cuda"
  mkdir -p "$d"
  if ! have_image localhost/cuda:12-runtime; then
    # The runtime libraries: large shared objects, as in the real runtime images.
    cat > "$d/Dockerfile.runtime" <<'DOCKERFILE'
FROM localhost/debian:bookworm
RUN mkdir -p /usr/local/cuda/lib64 \
 && head -c 48000000 /dev/urandom > /usr/local/cuda/lib64/libcudart.so.12 \
 && head -c 32000000 /dev/urandom > /usr/local/cuda/lib64/libcublas.so.12 \
 && echo /usr/local/cuda/lib64 > /etc/ld.so.conf.d/cuda.conf
ENV CUDA_VERSION=12.1.0 PATH=/usr/local/cuda/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
DOCKERFILE
    bud -t localhost/cuda:12-runtime -f "$d/Dockerfile.runtime" "$d"
  fi
  if ! have_image localhost/cuda:12-devel; then
    # The devel variant adds what only a build needs: a compiler toolchain, headers, static libs.
    cat > "$d/Dockerfile.devel" <<'DOCKERFILE'
FROM localhost/cuda:12-runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /usr/local/cuda/include /usr/local/cuda/bin \
 && head -c 64000000 /dev/urandom > /usr/local/cuda/lib64/libcudart_static.a \
 && printf '#pragma once\n#define CUDART_VERSION 12010\n' > /usr/local/cuda/include/cuda_runtime.h \
 && printf '#!/bin/sh\nexec gcc "$@"\n' > /usr/local/cuda/bin/nvcc && chmod 755 /usr/local/cuda/bin/nvcc
DOCKERFILE
    bud -t localhost/cuda:12-devel -f "$d/Dockerfile.devel" "$d"
  fi
}

need_tools
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(busybox debian cuda)
for t in "${targets[@]}"; do
  case "$t" in
    busybox) make_busybox ;;
    debian) make_debian ;;
    cuda) make_cuda ;;
    *) echo "base-images.sh: unknown base '$t' (busybox, debian, cuda)" >&2; exit 2 ;;
  esac
done
"${BUILDAH[@]}" images --format '{{.Name}}:{{.Tag}} {{.Size}}' | grep '^localhost/' | sort
