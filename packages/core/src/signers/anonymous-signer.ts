import { PLUGIN_API_VERSION } from '../version.js';
import type { Signer } from './signer.js';

/** A signer that signs nothing: the explicit choice for public data. */
export function anonymousSigner(): Signer {
  return {
    kind: 'signer',
    id: 'anonymous',
    apiVersion: PLUGIN_API_VERSION,
    matches: () => false,
    describe: () => ({ id: 'anonymous', options: {} }),
  } satisfies Signer;
}
