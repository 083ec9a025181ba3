// Signer pages: one registry per provider. Credentials come from the environment (`env` here, so
// the tests can pass their own; leave it out to read process.env).
import { createRegistry, type Registry, type Signer } from '@pyramids/core';
import { geotiffReader } from '@pyramids/readers-geotiff';
import { awsAnonymousSigner, awsRequesterPaysSigner } from '@pyramids/signers-aws';
import { cdseS3Signer, cdseSigner } from '@pyramids/signers-cdse';
import { earthdataSigner } from '@pyramids/signers-earthdata';
import { planetaryComputerSigner } from '@pyramids/signers-planetary-computer';

/** Environment variables, as in `process.env`. */
export type Environment = Record<string, string | undefined>;

/** AWS: requester-pays (USGS Landsat) and anonymous (public buckets). */
export function awsSigners(env: Environment): { registry: Registry; signers: Signer[] } {
  // #region aws
  const requesterPays = awsRequesterPaysSigner({ env }); // AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_PROFILE, AWS_REGION
  const anonymous = awsAnonymousSigner({ env }); // AWS_REGION
  const registry = createRegistry().use(geotiffReader()).use(requesterPays);
  // #endregion aws
  return { registry, signers: [requesterPays, anonymous] };
}

/** Planetary Computer: SAS tokens for Azure blob hrefs. */
export function planetaryComputer(env: Environment): { registry: Registry; signers: Signer[] } {
  // #region planetary-computer
  const signer = planetaryComputerSigner({ env }); // PC_SDK_SUBSCRIPTION_KEY (optional), PC_SDK_SAS_URL
  const registry = createRegistry().use(geotiffReader()).use(signer);
  // #endregion planetary-computer
  return { registry, signers: [signer] };
}

/** NASA Earthdata Login: a bearer token for the DAACs' hosts only. */
export function earthdata(env: Environment): { registry: Registry; signers: Signer[] } {
  // #region earthdata
  const signer = earthdataSigner({ env }); // EARTHDATA_TOKEN, or EARTHDATA_USERNAME + EARTHDATA_PASSWORD
  const registry = createRegistry().use(geotiffReader()).use(signer);
  // #endregion earthdata
  return { registry, signers: [signer] };
}

/** Copernicus Data Space: OpenID Connect for the APIs, S3 keys for `s3://eodata/…`. */
export function copernicus(env: Environment): { registry: Registry; signers: Signer[] } {
  // #region cdse
  const signer = cdseSigner({ env }); // CDSE_USERNAME + CDSE_PASSWORD
  const s3 = cdseS3Signer({ env }); // CDSE_S3_ACCESS_KEY + CDSE_S3_SECRET_KEY
  const registry = createRegistry().use(geotiffReader()).use(signer).use(s3);
  // #endregion cdse
  return { registry, signers: [signer, s3] };
}
