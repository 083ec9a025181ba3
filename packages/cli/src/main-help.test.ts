// `pyramids --help` must list every command and global option without importing
// any command's code (that is what makes it start fast); the full program is
// loaded only for a command.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';

const imported = vi.hoisted(() => new Set<string>());

// Each factory runs only when its module is imported: it records that, then gives the real module.
vi.mock('./program.js', async (importOriginal) => (imported.add('program'), importOriginal()));
vi.mock(
  './default-registry.js',
  async (importOriginal) => (imported.add('default-registry'), importOriginal()),
);
vi.mock(
  './signer-option.js',
  async (importOriginal) => (imported.add('signer-option'), importOriginal()),
);
vi.mock(
  './commands/cube-command.js',
  async (importOriginal) => (imported.add('cube-command'), importOriginal()),
);
vi.mock(
  './commands/search-command.js',
  async (importOriginal) => (imported.add('search-command'), importOriginal()),
);
vi.mock(
  './commands/read-command.js',
  async (importOriginal) => (imported.add('read-command'), importOriginal()),
);
vi.mock(
  './commands/point-command.js',
  async (importOriginal) => (imported.add('point-command'), importOriginal()),
);
vi.mock(
  '@pyramids/core',
  async (importOriginal) => (imported.add('@pyramids/core'), importOriginal()),
);

const { runCli } = await import('./run-cli-for-tests.js');

describe('pyramids --help', () => {
  it('loads no command code, and prints exactly the full program’s help', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect([...imported]).toEqual([]);
    const debug = await runCli(['--debug', '-h']);
    expect(debug.stdout).toBe(help.stdout);
    expect([...imported]).toEqual([]);

    const { createProgram } = await import('./program.js');
    const full = createProgram();
    expect(help.stdout).toBe(full.helpInformation());
    for (const command of full.commands) expect(help.stdout).toContain(command.name());
  });

  it('loads the full program to run or explain a command', async () => {
    const cube = await runCli(['cube', '--help']);
    expect(cube.code).toBe(0);
    expect(cube.stdout).toContain('--compress <method>');
    expect(imported.has('program')).toBe(true);
    expect(imported.has('cube-command')).toBe(true);
  });

  it('the installed bin answers it from dist/help.cjs, the same text, and runs commands through dist/main.js', async () => {
    const bin = fileURLToPath(new URL('../bin/pyramids.js', import.meta.url));
    const run = (args: string[]) =>
      spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
    const help = run(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toBe((await runCli(['--help'])).stdout);
    const bad = run(['--bogus']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("unknown option '--bogus'");
    const info = run(['info', '--help']);
    expect(info.status).toBe(0);
    expect(info.stdout).toContain('Usage: pyramids info');
  });
});
