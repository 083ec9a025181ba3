// The public API of a package as text, for snapshot tests: for each entry point in its
// package.json `exports`, the sorted exported names with their kinds, read from the
// sources with the TypeScript compiler (no build needed). An accidental export change
// then fails the package's `public-api.test.ts`; a deliberate one is accepted with
// `pnpm exec vitest run public-api -u`.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const KINDS: [ts.SymbolFlags, string][] = [
  [ts.SymbolFlags.Class, 'class'],
  [ts.SymbolFlags.Function, 'function'],
  [ts.SymbolFlags.Enum, 'enum'],
  [ts.SymbolFlags.Interface, 'interface'],
  [ts.SymbolFlags.TypeAlias, 'type'],
  [ts.SymbolFlags.Variable, 'const'],
  [ts.SymbolFlags.Namespace, 'namespace'],
];

/** `kind name` of one exported symbol (an `export type` re-export of a class is still a class). */
function describeExport(symbol: ts.Symbol, checker: ts.TypeChecker): string {
  const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
  const kind = KINDS.find(([flag]) => target.flags & flag)?.[1] ?? 'other';
  return `${kind} ${symbol.getName()}`;
}

/** The source file behind an `exports` entry: `./dist/node.d.ts` → `src/node.ts`. */
function sourceOf(packageDir: string, typesPath: string): string {
  const name = path.basename(typesPath).replace(/\.d\.ts$/, '.ts');
  return path.join(packageDir, 'src', name);
}

/** The public API of the package in `packageDir`, one `kind name` line per export, by entry point. */
export function publicApi(packageDir: string): string {
  const manifest = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as {
    exports: Record<string, { types: string }>;
  };
  const entries = Object.entries(manifest.exports).map(([subpath, target]) => ({
    subpath,
    file: sourceOf(packageDir, target.types),
  }));
  const program = ts.createProgram(
    entries.map((entry) => entry.file),
    {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      skipLibCheck: true,
      noEmit: true,
    },
  );
  const checker = program.getTypeChecker();
  const sections = entries.map(({ subpath, file }) => {
    const source = program.getSourceFile(file);
    const module = source && checker.getSymbolAtLocation(source);
    if (!module) throw new Error(`public-api: cannot read the exports of ${file}`);
    const lines = checker
      .getExportsOfModule(module)
      .map((symbol) => describeExport(symbol, checker))
      .sort((a, b) => {
        const [nameA, nameB] = [a.split(' ')[1]!, b.split(' ')[1]!];
        return nameA < nameB ? -1 : nameA > nameB ? 1 : 0;
      });
    return `# ${subpath}\n${lines.join('\n')}\n`;
  });
  return sections.join('\n');
}
