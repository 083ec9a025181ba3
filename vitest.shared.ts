// Tests import workspace packages by name; point those names at the sources so
// `vitest` needs no build step and a change in core is seen by every package's tests.
import { readdirSync, existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(fileURLToPath(import.meta.url));

export const workspaceAliases: Record<string, string> = Object.fromEntries(
  readdirSync(path.join(root, 'packages'))
    .map((folder) => path.join(root, 'packages', folder))
    .filter(
      (dir) =>
        existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'src/index.ts')),
    )
    .flatMap((dir) => {
      const { name } = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
        name: string;
      };
      // A `/node` subpath entry comes first: aliases match by prefix, in order.
      const nodeEntry = path.join(dir, 'src/node.ts');
      return [
        ...(existsSync(nodeEntry) ? [[`${name}/node`, nodeEntry] as const] : []),
        [name, path.join(dir, 'src/index.ts')] as const,
      ];
    }),
);

/**
 * The shared fixtures: `../shared/fixtures` beside the repository, found by walking up,
 * so that a git worktree nested deeper (e.g. `wt/<name>/`) finds them too.
 */
export const fixturesDir = findFixturesDir(root);

function findFixturesDir(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, '..', 'shared', 'fixtures');
    if (existsSync(candidate)) return path.resolve(candidate);
    if (path.dirname(dir) === dir) return path.resolve(start, '../shared/fixtures');
  }
}

/**
 * Puts each package's version (from the package.json nearest to the file) where its
 * sources say `__PACKAGE_VERSION__`, as tsup's `define` does at build, so tests of the
 * sources see the version the built package reports.
 */
export function packageVersionPlugin(): {
  name: string;
  transform(code: string, id: string): string | undefined;
} {
  const versions = new Map<string, string>();
  const versionFor = (file: string): string | undefined => {
    for (let dir = path.dirname(file); dir !== path.dirname(dir); dir = path.dirname(dir)) {
      const manifest = path.join(dir, 'package.json');
      if (!existsSync(manifest)) continue;
      if (!versions.has(dir))
        versions.set(
          dir,
          (JSON.parse(readFileSync(manifest, 'utf8')) as { version?: string }).version ?? '',
        );
      return versions.get(dir) || undefined;
    }
    return undefined;
  };
  return {
    name: 'pyramids-package-version',
    transform(code, id) {
      if (!code.includes('__PACKAGE_VERSION__')) return undefined;
      const version = versionFor(id.split('?')[0]!);
      return version
        ? code.replace(/\b__PACKAGE_VERSION__\b/g, JSON.stringify(version))
        : undefined;
    },
  };
}
