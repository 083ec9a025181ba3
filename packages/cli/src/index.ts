// @pyramids/cli: the `pyramids` command. The only package that assembles plugins.
export { main } from './main.js';
export { createProgram } from './program.js';
export { createDefaultRegistry } from './default-registry.js';
export { addPluginOption, importPlugins, loadedPlugins } from './plugin-option.js';
export {
  addSignerOption,
  createSignerFromEnvironment,
  createSignerFromDescription,
  signerFromOptions,
  SIGNER_NAMES,
  signerIds,
  type SignerName,
  type SignerEnvironment,
} from './signer-option.js';
