#!/usr/bin/env bash
# Installs Debian's chromium (headless browser for the docs site test) when it is missing.
# Needs root for apt-get, like install-gdal.sh. Safe to run again.
set -euo pipefail
command -v chromium >/dev/null 2>&1 || (apt-get update && apt-get install -y chromium)
