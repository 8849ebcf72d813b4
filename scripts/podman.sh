#!/usr/bin/env bash
# podman as this project runs it: `scripts/podman.sh ARGS...` runs
# `$PODMAN ARGS...`; `scripts/podman.sh --command` prints that command.
#
# PODMAN chooses the engine (PODMAN=podman for your own setup, PODMAN=docker
# also builds and runs the image). Unset, it is podman with runc and the vfs
# storage driver when those work here (this project's machines: crun refuses
# their cgroups; vfs is the driver they are documented to work with), else
# plain podman (a store that is already another driver's keeps its driver).
set -euo pipefail
if [ -z "${PODMAN:-}" ]; then
  PODMAN=podman
  if [ -x /usr/sbin/runc ] && podman --runtime /usr/sbin/runc --storage-driver vfs info >/dev/null 2>&1; then
    PODMAN="podman --runtime /usr/sbin/runc --storage-driver vfs"
  fi
fi
if [ "${1:-}" = --command ]; then
  echo "$PODMAN"
  exit 0
fi
# shellcheck disable=SC2086 # PODMAN is a command with its options
exec $PODMAN "$@"
