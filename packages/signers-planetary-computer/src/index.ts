// @pyramids/signers-planetary-computer: SAS-token signer for Microsoft Planetary Computer data.
export {
  planetaryComputerSigner,
  blobLocation,
  DEFAULT_SAS_URL,
  type PlanetaryComputerSignerOptions,
} from './planetary-computer-signer.js';
export { VERSION } from './version.js';
