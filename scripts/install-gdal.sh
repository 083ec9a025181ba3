#!/usr/bin/env bash
# Installs the system GDAL that gdal-async (used by @pyramids/readers-gdal) is built against.
# Idempotent: does nothing when `gdal-config` and GDAL's Python bindings are already there. Debian/Ubuntu only (apt-get).
# After this, a plain `pnpm install` builds gdal-async from source against it
# (see scripts/build-gdal-async.mjs, run by the root postinstall).
set -euo pipefail

has_python_gdal() {
  python3 -c 'from osgeo import osr' >/dev/null 2>&1 || /usr/bin/python3 -c 'from osgeo import osr' >/dev/null 2>&1
}

if command -v gdal-config >/dev/null 2>&1 && has_python_gdal; then
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

# python3-gdal: the tests compare CRSs with GDAL's own IsSame (test-support/gdal-srs.ts).
echo "install-gdal: installing libgdal-dev, gdal-bin and python3-gdal with apt-get"
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends libgdal-dev gdal-bin python3-gdal
echo "install-gdal: installed GDAL $(gdal-config --version)"
