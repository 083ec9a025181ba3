#!/usr/bin/env bash
# Sets everything up, then runs the main job offline on the bundled sample data.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export AWS_EC2_METADATA_DISABLED=true
mkdir -p out
echo
echo "== pyramids info: what the sample Item says about its B04 asset (no pixels read)"
pnpm exec pyramids info sample-data/items.json --asset B04
echo
echo "== pyramids read: a window of B04 as a GeoTIFF"
pnpm exec pyramids read sample-data/items.json --asset B04 --bbox 500500,5298000,502000,5299500 -o out/b04-window.tif
