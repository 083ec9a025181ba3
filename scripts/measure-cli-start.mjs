#!/usr/bin/env node
// Measures the cold start of `pyramids --help` (the built CLI): the median wall time
// of N runs, next to that of a bare `node -e ''` on the same machine at the same
// time, so a busy machine shows up as such. Usage: node scripts/measure-cli-start.mjs [runs]
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const runs = Number(process.argv[2] ?? 21);
const bin = fileURLToPath(new URL('../packages/cli/bin/pyramids.js', import.meta.url));

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function time(args) {
  const start = process.hrtime.bigint();
  execFileSync(process.execPath, args, { stdio: 'ignore' });
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const help = [];
const bare = [];
for (let run = 0; run < runs; run++) {
  // Interleaved, so both see the same load.
  help.push(time([bin, '--help']));
  bare.push(time(['-e', '']));
}
const result = {
  runs,
  helpMedianMs: Math.round(median(help)),
  bareNodeMedianMs: Math.round(median(bare)),
};
result.overheadMs = result.helpMedianMs - result.bareNodeMedianMs;
process.stdout.write(`${JSON.stringify(result)}\n`);
