// Runs `pnpm bench` (scripts/bench.mjs at the repository root) and records its output, with
// when, where and on what it ran, in data/bench-output.txt; the Performance page is made from it.
// Run it after a change that moves the numbers: `node apps/docs/scripts/record-benchmarks.mjs`.
import { execFileSync } from 'node:child_process';
import { writeFileSync, mkdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';

const siteRoot = path.resolve(import.meta.dirname, '..');
const repositoryRoot = path.resolve(siteRoot, '../..');
const load = loadavg()
  .map((value) => value.toFixed(1))
  .join(' ');
const started = new Date().toISOString();
const output = execFileSync(process.execPath, [path.join(repositoryRoot, 'scripts/bench.mjs')], {
  cwd: repositoryRoot,
  encoding: 'utf8',
  maxBuffer: 16 << 20,
  stdio: ['ignore', 'pipe', 'inherit'],
});
const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
  cwd: repositoryRoot,
  encoding: 'utf8',
}).trim();
const header = [
  `# recorded ${started} at commit ${commit} with \`node scripts/bench.mjs\` (what \`pnpm bench\` runs after building)`,
  `# Node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), load average ${load} at the start`,
];
mkdirSync(path.join(siteRoot, 'data'), { recursive: true });
writeFileSync(path.join(siteRoot, 'data/bench-output.txt'), `${header.join('\n')}\n${output}`);
console.log(`recorded ${path.join(siteRoot, 'data/bench-output.txt')}`);
