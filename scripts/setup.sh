#!/usr/bin/env bash
# Sets up a fresh Debian machine with Node 20 + npm: pnpm, Debian's GDAL, the
# workspace packages, and a build. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1 AWS_EC2_METADATA_DISABLED=true

PNPM_VERSION=12.4.2
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
  echo "setup: installing pnpm $PNPM_VERSION"
  npm install -g "pnpm@$PNPM_VERSION" --silent
fi

bash scripts/install-gdal.sh
bash scripts/install-chromium.sh

echo "setup: installing workspace packages"
pnpm install --frozen-lockfile --reporter=append-only
echo "setup: building"
pnpm run build --output-logs=errors-only
