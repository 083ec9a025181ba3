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
echo "== pyramids cube --dry-run: what the cube will cost, from headers only"
pnpm exec pyramids cube sample-data/items.json --asset B04 --asset B03 --asset B02 --groupby solar_day --dry-run
echo
echo "== pyramids cube: B04/B03/B02 of every solar day on one grid, a GeoTIFF and a PNG quicklook"
pnpm exec pyramids cube sample-data/items.json --asset B04 --asset B03 --asset B02 \
  --groupby solar_day --resampling bilinear -o out/cube.tif --preview out/cube.png
echo
echo "Wrote out/cube.tif (bands time-major: <solar day>/<band>) and out/cube.png.
Open the GeoTIFF in QGIS, or: gdalinfo out/cube.tif"
