// Test support: validates Items against the official STAC JSON Schemas copied
// into the shared fixtures, loaded from disk by their `$id` (no network).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';

type AddFormats = (ajv: Ajv) => Ajv;
const addFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ??
  addFormatsModule) as unknown as AddFormats;

function jsonFiles(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const full = path.join(directory, name);
    return statSync(full).isDirectory() ? jsonFiles(full) : name.endsWith('.json') ? [full] : [];
  });
}

/** A validator for STAC Items (core 1.1.0 plus every extension schema on disk). */
export function createStacValidator(schemasDir: string): (item: unknown) => string[] {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addFormat('iri', { validate: (value: string) => /^[a-z][a-z0-9+.-]*:/i.test(value) });
  ajv.addFormat('iri-reference', { validate: (value: string) => typeof value === 'string' });
  for (const file of jsonFiles(schemasDir)) {
    const schema = JSON.parse(readFileSync(file, 'utf8')) as { $id?: string };
    if (!schema.$id) continue;
    ajv.addSchema(schema);
    // Upstream v1.1.0 common.json carries the $id `…/commonjson` (a typo); item.json refers to common.json.
    if (schema.$id.endsWith('/commonjson'))
      ajv.addSchema({ ...schema, $id: schema.$id.replace(/commonjson$/, 'common.json') });
  }
  const describe = (errors: ErrorObject[] | null | undefined) =>
    (errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? ''}`);
  return (item) => {
    const problems: string[] = [];
    const core = ajv.getSchema(
      'https://schemas.stacspec.org/v1.1.0/item-spec/json-schema/item.json',
    )!;
    if (!core(item)) problems.push(...describe(core.errors).map((text) => `core: ${text}`));
    for (const url of (item as { stac_extensions?: string[] }).stac_extensions ?? []) {
      const validate = ajv.getSchema(url.replace(/#$/, ''));
      if (!validate) {
        problems.push(`no schema on disk for ${url}`);
        continue;
      }
      if (!validate(item))
        problems.push(...describe(validate.errors).map((text) => `${url}: ${text}`));
    }
    return problems;
  };
}
