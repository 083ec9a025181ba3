// EPSG definitions from the epsg-index package, one small JSON module per code,
// imported lazily so a browser page loads only the codes it uses.
import { hasNodeBuiltins, nodeBuiltin } from '../platform/node-builtin.js';

/** One EPSG entry of epsg-index: its name, proj4 string and WKT1. */
export interface EpsgDefinition {
  code: string;
  kind: string;
  name: string;
  proj4: string;
  wkt: string;
}

// null records a code that has no definition, so it is not looked up again.
const definitions = new Map<number, EpsgDefinition | null>();

function specifier(code: number): string {
  return `epsg-index/s/${code}.json`;
}

/**
 * Loads the definition of one EPSG code with a dynamic ESM import of
 * `epsg-index/s/<code>.json` (resolved by Node, or in a browser by an import map
 * entry `"epsg-index/s/": "<where the files are served>/"`). Undefined when unknown.
 */
export async function loadEpsgDefinition(code: number): Promise<EpsgDefinition | undefined> {
  if (!Number.isInteger(code) || code <= 0) return undefined;
  if (!definitions.has(code)) {
    try {
      // A template literal in place: bundlers keep it, and its import attributes, as written.
      const module = (await import(/* @vite-ignore */ `epsg-index/s/${code}.json`, {
        with: { type: 'json' },
      })) as { default: EpsgDefinition };
      definitions.set(code, module.default);
    } catch {
      definitions.set(code, null);
    }
  }
  return definitions.get(code) ?? undefined;
}

/**
 * The definition of an EPSG code if already loaded. On Node a code not loaded yet is
 * read synchronously from the same JSON file, so the synchronous CRS functions keep
 * working without a preceding {@link loadEpsgDefinition}; elsewhere it is undefined.
 */
export function epsgDefinition(code: number): EpsgDefinition | undefined {
  if (!definitions.has(code) && hasNodeBuiltins() && Number.isInteger(code) && code > 0) {
    try {
      const url = import.meta.resolve(specifier(code));
      const text = nodeBuiltin('node:fs', 'reading an EPSG definition').readFileSync(
        new URL(url),
        'utf8',
      );
      definitions.set(code, JSON.parse(text) as EpsgDefinition);
    } catch {
      definitions.set(code, null);
    }
  }
  return definitions.get(code) ?? undefined;
}

/** Every EPSG definition loaded so far, to hand to a worker (which has no import map of its own). */
export function loadedEpsgDefinitions(): EpsgDefinition[] {
  return [...definitions.values()].filter(
    (definition): definition is EpsgDefinition => definition !== null,
  );
}

/** Adds definitions loaded elsewhere (e.g. by the page that started this worker); known codes are kept. */
export function addEpsgDefinitions(list: readonly EpsgDefinition[]): void {
  for (const definition of list) {
    const code = Number(definition.code);
    if (Number.isInteger(code) && code > 0 && !definitions.get(code))
      definitions.set(code, definition);
  }
}
