// The package's exports against its committed API snapshot, so an export change is deliberate.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { publicApi } from '../../../test-support/public-api.js';

it('exports what __snapshots__/public-api.txt lists (accept a change: pnpm exec vitest run public-api -u)', async () => {
  const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  await expect(publicApi(packageDir)).toMatchFileSnapshot('./__snapshots__/public-api.txt');
}, 60_000); // the compiler reads the package and its dependencies' types: seconds on a loaded machine
