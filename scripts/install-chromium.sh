#!/usr/bin/env bash
# Installs Debian's headless-capable Chromium, which the browser test drives
# with puppeteer-core. Idempotent: does nothing when `chromium` is already on PATH.
set -euo pipefail

if command -v chromium >/dev/null 2>&1; then
  echo "install-chromium: $(chromium --version 2>/dev/null || echo chromium) already installed; nothing to do"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-chromium: chromium not found and apt-get is not available; install Chromium yourself and put 'chromium' on PATH" >&2
  exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install-chromium: not root and no sudo: run this script as root" >&2
    exit 1
  fi
fi

echo "install-chromium: installing chromium with apt-get"
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends chromium
echo "install-chromium: installed $(chromium --version 2>/dev/null || echo chromium)"
