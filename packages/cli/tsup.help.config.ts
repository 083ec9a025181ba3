import { defineConfig } from 'tsup';

// dist/help.cjs, run after the main build (`pnpm build`): the CommonJS bundle with which
// bin/pyramids.js answers a call naming no command (`pyramids --help`) without Node's ES
// module loader. commander goes in it; nothing else but the command summaries.
export default defineConfig({
  entry: { help: 'src/help-program.ts' },
  format: ['cjs'],
  outExtension: () => ({ js: '.cjs' }),
  noExternal: ['commander'],
  target: 'node20',
  clean: false,
  dts: false,
  sourcemap: false,
});
