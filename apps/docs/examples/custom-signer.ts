// Guide "Write your own signer": a bearer token for one host, as a plain plugin object.
import { PLUGIN_API_VERSION, type Signer } from '@pyramids/core';

// #region signer
/** Sends `Authorization: Bearer <token>` to `host` only; the token comes from the environment. */
export function exampleTokenSigner(
  host: string,
  environment: NodeJS.ProcessEnv = process.env,
): Signer {
  return {
    kind: 'signer',
    id: 'example-token',
    apiVersion: PLUGIN_API_VERSION,
    matches: (url) => new URL(url).host === host, // never hand the token to another host
    async headers(): Promise<Record<string, string>> {
      const token = environment['EXAMPLE_TOKEN'];
      if (!token) return {};
      return { authorization: `Bearer ${token}` };
    },
    describe: () => ({ id: 'example-token', options: { host } }), // no secret in here
  } satisfies Signer;
}
// #endregion signer
