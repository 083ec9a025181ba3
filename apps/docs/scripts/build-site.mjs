// Builds the docs site: generated pages first (CLI reference, API reference, cube quicklook,
// benchmark table, the live cube page's bundle), then VitePress. `--generate-only` stops before VitePress (for `vitepress dev`).
// Everything here runs offline from the workspace's built packages and the bundled sample data.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeCliReference } from './generate-cli-reference.mjs';
import { writeBenchmarkTable } from './generate-benchmark-table.mjs';
import { buildLiveCube } from './build-live-cube.mjs';

const siteRoot = path.resolve(import.meta.dirname, '..');
const repositoryRoot = path.resolve(siteRoot, '../..');
const generateOnly = process.argv.includes('--generate-only');

function step(name, run) {
  const started = performance.now();
  run();
  console.log(`docs: ${name} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
}

function runNode(script, args, options = {}) {
  execFileSync(process.execPath, [script, ...args], {
    stdio: 'inherit',
    cwd: siteRoot,
    ...options,
  });
}

mkdirSync(path.join(siteRoot, 'generated'), { recursive: true });
mkdirSync(path.join(siteRoot, 'public/generated'), { recursive: true });

await writeCliReference(path.join(siteRoot, 'reference/cli.md'));
console.log('docs: CLI reference written');
await writeBenchmarkTable(
  path.join(siteRoot, 'data/bench-output.txt'),
  path.join(siteRoot, 'generated/benchmarks.md'),
);
console.log('docs: benchmark table written');
await buildLiveCube();
console.log('docs: live cube page bundled with the sample data');

// TypeDoc fails (exit 1) on an undocumented export: validation warnings are errors (typedoc.json).
step('API reference (TypeDoc)', () =>
  runNode(path.join(siteRoot, 'node_modules/typedoc/bin/typedoc'), [
    '--options',
    'typedoc.json',
    '--logLevel',
    'Warn',
  ]),
);

// The cube quicklook: the CLI's own --preview on the bundled sample data, as the README's demo does.
step('cube quicklook', () => {
  const scratch = mkdtempSync(path.join(tmpdir(), 'pyramids-docs-'));
  try {
    runNode(
      path.join(repositoryRoot, 'packages/cli/bin/pyramids.js'),
      [
        'cube',
        path.join(repositoryRoot, 'sample-data/items.json'),
        '--asset',
        'B04',
        '--asset',
        'B03',
        '--asset',
        'B02',
        '--groupby',
        'solar_day',
        '--resampling',
        'bilinear',
        '-o',
        path.join(scratch, 'cube.tif'),
        '--preview',
        path.join(siteRoot, 'public/generated/cube-quicklook.png'),
      ],
      {
        stdio: ['ignore', 'ignore', 'inherit'],
        env: { ...process.env, AWS_EC2_METADATA_DISABLED: 'true' },
      },
    );
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
});

if (!generateOnly)
  step('VitePress', () =>
    runNode(path.join(siteRoot, 'node_modules/vitepress/bin/vitepress.js'), ['build']),
  );
