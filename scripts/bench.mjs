// `pnpm bench`: runs every package's benchmark script (bench/*.mjs) in turn.
// Each prints its own time, GDAL's time on the same work in the same run, and the ratio.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const scripts = readdirSync(path.join(root, 'packages'))
  .map((name) => path.join(root, 'packages', name, 'bench'))
  .filter((directory) => existsSync(directory))
  .flatMap((directory) =>
    readdirSync(directory)
      .filter((file) => file.endsWith('-bench.mjs'))
      .map((file) => path.join(directory, file)),
  );

let failed = 0;
for (const script of scripts) {
  console.log(`\n== ${path.relative(root, script)}`);
  try {
    execFileSync(process.execPath, [script], {
      stdio: 'inherit',
      cwd: path.dirname(path.dirname(script)),
    });
  } catch {
    failed++;
  }
}
process.exit(failed ? 1 : 0);
