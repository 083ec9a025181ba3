#!/usr/bin/env bash
# Installs the system GDAL that gdal-async (used by @pyramids/readers-gdal) is built against.
# Idempotent: does nothing when `gdal-config` is already on PATH. Debian/Ubuntu only (apt-get).
# After this, a plain `pnpm install` builds gdal-async from source against it
# (see scripts/build-gdal-async.mjs, run by the root postinstall).
set -euo pipefail

if command -v gdal-config >/dev/null 2>&1; then
  echo "install-gdal: GDAL $(gdal-config --version) already installed ($(command -v gdal-config)); nothing to do"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-gdal: gdal-config not found and apt-get is not available;" >&2
  echo "install-gdal: install GDAL's development files (libgdal-dev / gdal-devel / brew install gdal) and GDAL's command-line tools yourself" >&2
  exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install-gdal: not root and no sudo: run this script as root" >&2
    exit 1
  fi
fi

echo "install-gdal: gdal-config not found; installing libgdal-dev and gdal-bin with apt-get"
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends libgdal-dev gdal-bin
echo "install-gdal: installed GDAL $(gdal-config --version)"
