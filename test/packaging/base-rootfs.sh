#!/usr/bin/env bash
# Makes the root filesystem of a local stand-in for the official node:20-bookworm-slim image, for
# building the Dockerfile where no image registry is reachable: a minimal Debian bookworm from
# debootstrap (slimmed the way Debian's official slim images are), this machine's Node.js and npm
# under /usr/local as in the official image, and this machine's CA bundle for npm.
#
#   base-rootfs.sh CACHE_DIR OUT_TAR
#
# OUT_TAR stands in for node:20-bookworm-slim (BASE_IMAGE). The plain Debian tarball stands in for
# debian:bookworm-slim (RUNTIME_BASE_IMAGE); its path in the cache is the one line on stdout.
#
# The debootstrap tarball (the slow part, two to four minutes) is cached in CACHE_DIR, keyed by
# suite, month and cache_version, so CI runs after the first take seconds. Node.js and the CA
# bundle are added on every run: they belong to this machine and may change between runs.
set -euo pipefail

cache_dir=${1:?usage: base-rootfs.sh CACHE_DIR OUT_TAR}
out_tar=${2:?usage: base-rootfs.sh CACHE_DIR OUT_TAR}
suite=bookworm

log() { printf 'base-rootfs: %s\n' "$*" >&2; }

# The mirror apt on this machine already uses for the suite's main component.
mirror=$(apt-get indextargets --format '$(REPO_URI) $(RELEASE) $(COMPONENT)' 'Identifier: Packages' |
  awk -v suite="$suite" '$2 == suite && $3 == "main" { print $1; exit }')
if [ -z "$mirror" ]; then
  log "no apt source for $suite main on this machine (apt-get indextargets found none)"
  exit 1
fi

# Bump when the Debian part below changes, so no run reuses a tarball made the old way.
cache_version=1
mkdir -p "$cache_dir"
key="$suite-minbase-v$cache_version-$(date -u +%Y%m)"
debian_tar="$cache_dir/debian-$key.tar"

work=$(mktemp -d "$cache_dir/.work.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Two runs at once must not both debootstrap into the cache.
exec 9>"$cache_dir/.lock"
flock 9
if [ -s "$debian_tar" ]; then
  log "cached Debian $suite: $debian_tar"
else
  log "debootstrap $suite from $mirror (not cached yet; this takes a few minutes)"
  debootstrap --variant=minbase "$suite" "$work/debian" "$mirror" >"$work/debootstrap.log" 2>&1 ||
    { tail -n 20 "$work/debootstrap.log" >&2; exit 1; }
  # What Debian's official slim images leave out, for a size comparable to them; the dpkg
  # excludes keep later apt-get installs in the image just as small.
  cat >"$work/debian/etc/dpkg/dpkg.cfg.d/slim" <<'CFG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
CFG
  find "$work/debian/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
  find "$work/debian/usr/share/doc" -mindepth 1 -type d -empty -delete
  rm -rf "$work/debian/usr/share/man/"* "$work/debian/usr/share/info/"* "$work/debian/usr/share/locale/"*
  rm -rf "$work/debian/var/cache/apt/"* "$work/debian/var/lib/apt/lists/"*
  tar --numeric-owner -C "$work/debian" -cf "$debian_tar.partial" .
  mv "$debian_tar.partial" "$debian_tar"
  rm -rf "$work/debian"
  # Older keys (last month's, an older cache_version's) are never read again.
  find "$cache_dir" -maxdepth 1 -name 'debian-*.tar' -not -name "debian-$key.tar" -delete
  log "cached Debian $suite: $debian_tar"
fi
flock -u 9

rootfs="$work/rootfs"
mkdir "$rootfs"
tar --numeric-owner -C "$rootfs" -xf "$debian_tar"

# Node.js from this machine, laid out as in the official image: /usr/local/{bin,lib/node_modules,include}.
node_bin=$(readlink -f "$(command -v node)")
node_prefix=$(dirname "$(dirname "$node_bin")")
mkdir -p "$rootfs/usr/local/bin" "$rootfs/usr/local/lib/node_modules" "$rootfs/usr/local/include" "$rootfs/usr/local/etc"
cp "$node_bin" "$rootfs/usr/local/bin/node"
cp -a "$node_prefix/lib/node_modules/npm" "$rootfs/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
# node-gyp builds the native addon against these headers instead of downloading them.
if [ -d "$node_prefix/include/node" ]; then cp -a "$node_prefix/include/node" "$rootfs/usr/local/include/node"; fi
# A Node.js built with a shared libnode carries it beside the binary.
find "$node_prefix/lib" -maxdepth 1 -name 'libnode.so*' -exec cp -a {} "$rootfs/usr/local/lib/" \;

# npm in the build stage reaches the registry the way this machine does, including through a
# TLS proxy this machine trusts; the bundle is read at run time, so it is never cached.
if [ -s /etc/ssl/certs/ca-certificates.crt ]; then
  mkdir -p "$rootfs/etc/ssl/certs"
  cp /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/ca-certificates.crt"
  printf 'cafile=/etc/ssl/certs/ca-certificates.crt\n' >"$rootfs/usr/local/etc/npmrc"
fi

if ! chroot "$rootfs" /usr/local/bin/node --version >/dev/null; then
  log "the copied Node.js does not run in the Debian $suite root (missing libraries?)"
  exit 1
fi

tar --numeric-owner -C "$rootfs" -cf "$out_tar" .
log "base root filesystem: $out_tar ($(du -h "$out_tar" | cut -f1))"
printf '%s\n' "$debian_tar"
