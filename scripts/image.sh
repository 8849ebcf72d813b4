#!/usr/bin/env bash
# `make image`: builds the container image otp-server:VERSION (VERSION from
# Cargo.toml) from the Containerfile, with nothing pulled and nothing
# compiled inside the build: cargo builds on the host, this script stages
# the build context in target/image/ and the Containerfile only copies it.
#
#   target/image/rootfs/usr/local/bin/otp-server       release build, static glibc, stripped
#   target/image/rootfs/usr/local/bin/otp-healthcheck  image/healthcheck.rs, static (the HEALTHCHECK;
#                                                      built in target/healthcheck/)
#   target/image/rootfs/etc/{passwd,group,nsswitch.conf}  from image/rootfs/
#
# Static glibc (no musl std is installed here, and no toolchain can be
# fetched): glibc 2.34+ builds its `files` and `dns` host lookups into libc,
# so the static binary resolves compose service names (`redis`) with no
# libnss_*.so in the image. The host build is at
# target/$TRIPLE/release/otp-server (the --target keeps it apart from
# `make build`'s target/release/, so neither rebuilds the other).
#
# Prints the image's name and size. IMAGE_NO_BUILD=1 stages target/image/
# without running the container engine.
set -euo pipefail
cd "$(dirname "$0")/.."

version=$(awk -F'"' '/^\[package\]/ { p = 1; next } /^\[/ { p = 0 } p && /^version *=/ { print $2; exit }' Cargo.toml)
[ -n "$version" ] || { echo "no [package] version in Cargo.toml" >&2; exit 1; }
triple=$(rustc -vV | sed -n 's/^host: //p')
case "$triple" in
  *-linux-gnu) ;;
  *) echo "the image is built from a Linux glibc host build; this host is $triple" >&2; exit 1 ;;
esac
target_dir=${CARGO_TARGET_DIR:-target}
cargo_home=${CARGO_HOME:-$HOME/.cargo}

# The server: static, with the checkout's and cargo's paths out of the binary
# (the same bytes from any clone).
echo "== cargo build --release --target $triple (static glibc)"
RUSTFLAGS="-C target-feature=+crt-static --remap-path-prefix=$PWD=/otp-server --remap-path-prefix=$cargo_home=/cargo" \
  cargo build --release --locked --target "$triple" --bin otp-server
bin="$target_dir/$triple/release/otp-server"
if readelf -d "$bin" | grep -q NEEDED; then
  echo "$bin is not static:" >&2
  readelf -d "$bin" | grep NEEDED >&2
  exit 1
fi

stage=target/image
rm -rf "$stage"
mkdir -p "$stage/rootfs/usr/local/bin"
cp -R image/rootfs/. "$stage/rootfs/"
chmod 0644 "$stage"/rootfs/etc/*
strip -o "$stage/rootfs/usr/local/bin/otp-server" "$bin"

# The health probe: std only, one file, compiled (and linted) by rustc's
# clippy driver when it is installed; again only when it or this script changed.
probe="$target_dir/healthcheck/otp-healthcheck"
if [ ! -x "$probe" ] || [ image/healthcheck.rs -nt "$probe" ] || [ scripts/image.sh -nt "$probe" ]; then
  rustfmt --check --edition 2021 image/healthcheck.rs
  rustc_cmd=rustc
  command -v clippy-driver >/dev/null 2>&1 && rustc_cmd=clippy-driver
  mkdir -p "$(dirname "$probe")"
  "$rustc_cmd" --edition 2021 -D warnings -C opt-level=z -C lto=fat -C panic=abort -C codegen-units=1 \
    -C target-feature=+crt-static -C strip=symbols --remap-path-prefix="$PWD=/otp-server" \
    -o "$probe" image/healthcheck.rs
fi
cp "$probe" "$stage/rootfs/usr/local/bin/otp-healthcheck"
chmod 0755 "$stage"/rootfs/usr/local/bin/*
ls -l "$stage"/rootfs/usr/local/bin
[ "${IMAGE_NO_BUILD:-}" = 1 ] && exit 0

# The image. podman keeps HEALTHCHECK only in the docker format, and
# --timestamp (the last commit's time) makes the layer's file dates, and so
# its digest, the same on every build of the same commit (the image id still
# differs: the docker format records the build container).
podman_cmd=$(scripts/podman.sh --command)
read -r -a engine <<<"$podman_cmd"
flags=()
if [ "$(basename "${engine[0]}")" = podman ]; then
  flags=(--format docker --timestamp "$(git log -1 --format=%ct 2>/dev/null || echo 0)")
fi
echo "== $podman_cmd build -t otp-server:$version"
"${engine[@]}" build "${flags[@]}" --build-arg VERSION="$version" \
  -t "otp-server:$version" -f Containerfile "$stage"
size=$("${engine[@]}" image inspect --format '{{.Size}}' "otp-server:$version")
echo "otp-server:$version: $size bytes"
