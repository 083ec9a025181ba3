#!/usr/bin/env bash
# CLI samples of the guides, run offline on the bundled sample data by test/cli-examples.test.ts
# (from a folder holding a link to sample-data/, with `pyramids` on PATH).
set -euo pipefail

#region cube
pyramids cube sample-data/items.json --asset B04 --asset B03 --asset B02 \
  --groupby solar_day --resampling bilinear -o cube.tif --preview cube.png
#endregion cube

#region dry-run
pyramids cube sample-data/items.json --asset B04 --groupby solar_day --dry-run
#endregion dry-run

#region info
pyramids info sample-data/items.json --asset B04
#endregion info

#region vrt
pyramids vrt sample-data/items.json --asset B04 -o mosaic.vrt
#endregion vrt

#region item
pyramids item cube.tif --id my-cube -o cube.json
#endregion item

#region parquet
pyramids parquet write sample-data/items.json items.parquet
pyramids search items.parquet --bbox 15,47.83,15.01,47.84 -o found.json
#endregion parquet
