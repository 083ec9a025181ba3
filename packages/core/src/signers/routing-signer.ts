// The signer `registry.use(signer)` registers: each URL is signed by the first
// registered signer responsible for it, so one registry serves several providers.
import { PLUGIN_API_VERSION } from '../version.js';
import type { Signer } from './signer.js';

/**
 * A signer that hands each URL to the first of `signers` whose `matches(url)`
 * is true, and leaves URLs no signer matches alone. The list is read at each
 * call, so signers registered later still count. Its `describe()` lists the
 * descriptions of the signers that have one, so a worker can rebuild them.
 */
export function routingSigner(signers: readonly Signer[]): Signer {
  const signerFor = (url: string) => signers.find((signer) => signer.matches(url));
  return {
    kind: 'signer',
    id: 'registry',
    apiVersion: PLUGIN_API_VERSION,
    matches: (url) => signerFor(url) !== undefined,
    async signRequest(request, signal) {
      const signer = signerFor(request.url);
      return signer?.signRequest ? signer.signRequest(request, signal) : request;
    },
    async signItem(item, signal) {
      // An Item's assets may live on several hosts: every signer that signs Items gets a turn.
      let signed = item;
      for (const signer of signers)
        if (signer.signItem) signed = await signer.signItem(signed, signal);
      return signed;
    },
    async signHref(href, signal) {
      const signer = signerFor(href);
      return signer?.signHref ? signer.signHref(href, signal) : href;
    },
    async headers(url, request, signal) {
      const signer = signerFor(url);
      return signer?.headers ? signer.headers(url, request, signal) : {};
    },
    async gdalEnv(href, signal) {
      const signer = signerFor(href.replace(/^\/vsicurl\//, ''));
      return signer?.gdalEnv ? signer.gdalEnv(href, signal) : {};
    },
    describeFailure: (url, response) => signerFor(url)?.describeFailure?.(url, response),
  };
}
