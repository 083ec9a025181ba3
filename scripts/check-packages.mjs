// Checks every published package as npm would ship it: packs it with pnpm
// (workspace:/catalog: versions rewritten), then runs publint (strict: warnings fail)
// and @arethetypeswrong/cli (profile esm-only: ESM + types must resolve for node16 and
// bundler). Needs built packages (`pnpm build`). Exit code 1 when any check fails.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';

const root = path.resolve(import.meta.dirname, '..');
const attw = path.join(root, 'node_modules/.bin/attw');
const packages = readdirSync(path.join(root, 'packages'))
  .map((folder) => path.join(root, 'packages', folder))
  .filter((directory) => {
    try {
      return !JSON.parse(readFileSync(path.join(directory, 'package.json'), 'utf8')).private;
    } catch {
      return false;
    }
  });

const scratch = mkdtempSync(path.join(tmpdir(), 'pyramids-pack-'));
let failed = 0;
try {
  for (const directory of packages) {
    const manifest = JSON.parse(readFileSync(path.join(directory, 'package.json'), 'utf8'));
    const problems = [];
    execFileSync('pnpm', ['pack', '--pack-destination', scratch], {
      cwd: directory,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const tarball = path.join(
      scratch,
      readdirSync(scratch).find((file) => file.endsWith('.tgz')),
    );
    const bytes = readFileSync(tarball);
    const { messages, pkg } = await publint({
      // The tarball's own root (package/) is the package directory.
      pack: { tarball: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) },
      level: 'warning',
      strict: true,
    });
    for (const message of messages)
      problems.push(`publint ${message.type}: ${formatMessage(message, pkg)}`);
    const types = spawnSync(
      attw,
      [tarball, '--profile', 'esm-only', '--format', 'ascii', '--no-color', '--no-emoji'],
      { encoding: 'utf8' },
    );
    if (types.status !== 0) problems.push(`attw: ${(types.stdout + types.stderr).trim()}`);
    rmSync(tarball);
    if (problems.length > 0) failed++;
    console.log(
      `${problems.length === 0 ? 'ok  ' : 'FAIL'} ${manifest.name}${problems.length ? `\n  ${problems.join('\n  ')}` : ''}`,
    );
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
console.log(
  `check-packages: ${packages.length - failed} of ${packages.length} packages pass publint and attw`,
);
process.exit(failed ? 1 : 0);
