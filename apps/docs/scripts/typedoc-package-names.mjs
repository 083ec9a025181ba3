// TypeDoc plugin: names each entry point module after its package (`@pyramids/core`) instead of
// its path (`core/src`), so the API reference reads the way people import it.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Converter, ReflectionKind } from 'typedoc';

const packagesDirectory = path.resolve(import.meta.dirname, '../../../packages');

/** Called by TypeDoc when the plugin is loaded. */
export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    for (const module of context.project.getReflectionsByKind(ReflectionKind.Module)) {
      const match = /^([\w-]+)\/src$/.exec(module.name);
      if (!match) continue;
      const manifest = JSON.parse(
        readFileSync(path.join(packagesDirectory, match[1], 'package.json'), 'utf8'),
      );
      module.name = manifest.name;
    }
  });
}
