// GDAL's own CRS comparison (OGRSpatialReference::IsSame through python3-gdal),
// the independent reference for the CRS a writer puts into a file. Tests only.
import { execFileSync } from 'node:child_process';

const SCRIPT = `
import json, sys
from osgeo import gdal, osr
gdal.UseExceptions()
def load(spec):
    kind, value = spec.split(':', 1)
    srs = osr.SpatialReference()
    if kind == 'file':
        srs.ImportFromWkt(gdal.Open(value).GetProjection())
    else:
        srs.SetFromUserInput(value)
    return srs
a, b = load(sys.argv[1]), load(sys.argv[2])
print(json.dumps({'same': bool(a.IsSame(b)), 'a': a.ExportToWkt(), 'b': b.ExportToWkt()}))
`;

let python: string | undefined;

/** A Python that has GDAL's bindings: `python3` on PATH, else Debian's `/usr/bin/python3` (python3-gdal). */
function pythonWithGdal(): string {
  if (python) return python;
  for (const candidate of ['python3', '/usr/bin/python3']) {
    try {
      execFileSync(candidate, ['-c', 'from osgeo import osr'], { stdio: 'ignore' });
      python = candidate;
      return candidate;
    } catch {
      // try the next one
    }
  }
  throw new Error(
    'no python3 with GDAL bindings (osgeo); run scripts/install-gdal.sh (apt-get install python3-gdal)',
  );
}

/** Where a CRS comes from: a raster file GDAL opens, or a definition GDAL's SetFromUserInput takes (WKT, PROJ string, EPSG:n). */
export type SrsSource = { file: string } | { definition: string };

/** Whether GDAL finds the two CRSs the same (`IsSame`), with both as GDAL's WKT for messages. */
export function gdalSrsIsSame(a: SrsSource, b: SrsSource): { same: boolean; a: string; b: string } {
  const spec = (source: SrsSource) =>
    'file' in source ? `file:${source.file}` : `srs:${source.definition}`;
  const output = execFileSync(pythonWithGdal(), ['-c', SCRIPT, spec(a), spec(b)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return JSON.parse(output) as { same: boolean; a: string; b: string };
}
