import type * as GDAL from 'gdal-async';
import { GdalUnavailableError } from './gdal-unavailable-error.js';

/** The gdal-async module. */
export type GdalModule = typeof GDAL;

let loading: Promise<GdalModule> | undefined;

/** How to get GDAL, said in every GdalUnavailableError. */
export const INSTALL_HINT =
  'install GDAL and build gdal-async against it: on Debian/Ubuntu `apt-get install -y libgdal-dev gdal-bin` ' +
  '(in the pyramids repository: `bash scripts/install-gdal.sh && pnpm install`); elsewhere ' +
  '`npm install gdal-async` downloads a prebuilt binary with a bundled GDAL';

/**
 * Imports gdal-async through `importer`. GdalUnavailableError, saying how to
 * install it, when the module or its native binding is missing.
 */
export async function importGdal(importer: () => Promise<unknown>): Promise<GdalModule> {
  let module: unknown;
  try {
    module = await importer();
  } catch (error) {
    if (/did not self-register/i.test((error as Error)?.message ?? '')) {
      throw new GdalUnavailableError(
        'gdal-async is already loaded by another thread of this process, and its native binding loads in one thread only: ' +
          'run the GDAL reads of a process on one thread (the main thread or a single worker)',
        { cause: error },
      );
    }
    throw new GdalUnavailableError(
      `@pyramids/readers-gdal needs gdal-async, which could not be loaded (${(error as Error)?.message?.split('\n')[0] ?? String(error)}); ${INSTALL_HINT}`,
      { cause: error },
    );
  }
  const gdal = ((module as { default?: GdalModule }).default ?? module) as GdalModule;
  if (typeof gdal?.openAsync !== 'function') {
    throw new GdalUnavailableError(`gdal-async loaded but has no openAsync(): not a usable gdal-async; ${INSTALL_HINT}`);
  }
  return gdal;
}

/** Loads gdal-async once, on first use (see `importGdal`). */
export function loadGdal(): Promise<GdalModule> {
  loading ??= importGdal(() => import('gdal-async')).catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}
