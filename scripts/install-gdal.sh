#!/usr/bin/env bash
# Installs Debian's GDAL (library, headers and command-line tools) when missing.
# The gdal reader builds against it; tests use gdalinfo/gdal_translate/gdalwarp as the reference.
set -euo pipefail
if command -v gdal-config >/dev/null 2>&1 && command -v gdalinfo >/dev/null 2>&1; then
  echo "install-gdal: GDAL $(gdal-config --version) already present"
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  echo "install-gdal: GDAL is missing and installing it needs root: run 'apt-get install -y libgdal-dev gdal-bin' as root" >&2
  exit 1
fi
echo "install-gdal: installing Debian's libgdal-dev and gdal-bin"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends libgdal-dev gdal-bin >/dev/null
echo "install-gdal: GDAL $(gdal-config --version) installed"
