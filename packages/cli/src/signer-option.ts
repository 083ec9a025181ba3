import {
  anonymousSigner,
  bearerTokenSigner,
  OptionError,
  SignerError,
  type Signer,
} from '@pyramids/core';
import { awsAnonymousSigner, awsRequesterPaysSigner } from '@pyramids/signers-aws';
import { cdseS3Signer, cdseSigner } from '@pyramids/signers-cdse';
import { earthdataSigner } from '@pyramids/signers-earthdata';
import { planetaryComputerSigner } from '@pyramids/signers-planetary-computer';
import { Option, type Command } from 'commander';

/** The signers `--signer` accepts. */
export const SIGNER_NAMES = [
  'anonymous',
  'bearer',
  'aws-requester-pays',
  'aws-anonymous',
  'planetary-computer',
  'earthdata',
  'cdse',
  'cdse-s3',
] as const;

/** A name `--signer` accepts. */
export type SignerName = (typeof SIGNER_NAMES)[number];

/** What a signer is built from besides its name. */
export interface SignerEnvironment {
  /** Environment variables (default `process.env`). */
  env?: Record<string, string | undefined>;
  /**
   * Hrefs or URLs the command is about to read or search; `bearer` sends its
   * token to their hosts when `PYRAMIDS_BEARER_HOSTS` is not set.
   */
  targets?: readonly string[];
}

const HELP =
  'sign reads and searches: anonymous, bearer (PYRAMIDS_BEARER_TOKEN, PYRAMIDS_BEARER_HOSTS), aws-requester-pays (AWS credential chain, AWS_REGION), ' +
  'aws-anonymous, planetary-computer (PC_SDK_SUBSCRIPTION_KEY), earthdata (EARTHDATA_TOKEN or EARTHDATA_USERNAME + EARTHDATA_PASSWORD), ' +
  'cdse (CDSE_USERNAME + CDSE_PASSWORD), cdse-s3 (CDSE_S3_ACCESS_KEY + CDSE_S3_SECRET_KEY)';

/** Adds `--signer NAME` to a command that reads or searches. */
export function addSignerOption(command: Command): Command {
  return command.addOption(new Option('--signer <name>', HELP).choices(SIGNER_NAMES));
}

/**
 * Builds the signer called `name`, its options and secrets taken from the
 * environment, as a worker would rebuild it. Throws OptionError for an unknown
 * name and SignerError when `bearer` has no token. Other signers report missing
 * credentials on first use, naming the variables to set.
 */
export function createSignerFromEnvironment(
  name: string,
  environment: SignerEnvironment = {},
): Signer {
  const env = environment.env ?? process.env;
  switch (name as SignerName) {
    case 'anonymous':
      return anonymousSigner();
    case 'bearer': {
      const token = env['PYRAMIDS_BEARER_TOKEN'];
      if (!token) {
        throw new SignerError(
          'bearer: PYRAMIDS_BEARER_TOKEN is not set; set it to the token to send as "Authorization: Bearer …"',
          { plugin: 'bearer' },
        );
      }
      const hosts = env['PYRAMIDS_BEARER_HOSTS']
        ? env['PYRAMIDS_BEARER_HOSTS']
            .split(',')
            .map((host) => host.trim())
            .filter(Boolean)
        : hostsOf(environment.targets ?? []);
      if (hosts.length === 0) {
        throw new OptionError(
          'bearer: set PYRAMIDS_BEARER_HOSTS to the comma-separated hosts the token is for (e.g. api.example.com)',
          { plugin: 'bearer' },
        );
      }
      return bearerTokenSigner(token, { hosts });
    }
    case 'aws-requester-pays':
      return awsRequesterPaysSigner({ env });
    case 'aws-anonymous':
      return awsAnonymousSigner({ env });
    case 'planetary-computer':
      return planetaryComputerSigner({ env });
    case 'earthdata':
      return earthdataSigner({ env });
    case 'cdse':
      return cdseSigner({ env });
    case 'cdse-s3':
      return cdseS3Signer({ env });
    default:
      throw new OptionError(`unknown signer '${name}'; choose one of ${SIGNER_NAMES.join(', ')}`);
  }
}

/**
 * Rebuilds a signer from what its `describe()` returned, with secrets from the
 * environment, as a worker thread or another machine does before reading a chunk.
 */
export function createSignerFromDescription(
  description: { id: string; options: Record<string, unknown> },
  environment: SignerEnvironment = {},
): Signer {
  const env = environment.env ?? process.env;
  const options = { ...description.options, env };
  switch (description.id as SignerName) {
    case 'bearer': {
      const token = env['PYRAMIDS_BEARER_TOKEN'];
      if (!token) {
        throw new SignerError(
          'bearer: PYRAMIDS_BEARER_TOKEN is not set; set it to the token to send as "Authorization: Bearer …"',
          { plugin: 'bearer' },
        );
      }
      return bearerTokenSigner(token, {
        hosts: (description.options['hosts'] as string[] | undefined) ?? [],
      });
    }
    case 'aws-requester-pays':
      return awsRequesterPaysSigner(options);
    case 'aws-anonymous':
      return awsAnonymousSigner(options);
    case 'planetary-computer':
      return planetaryComputerSigner(options);
    case 'earthdata':
      return earthdataSigner(options);
    case 'cdse':
      return cdseSigner(options);
    case 'cdse-s3':
      return cdseS3Signer(options);
    default:
      return createSignerFromEnvironment(description.id, environment);
  }
}

/** The signer chosen by a command's `--signer` option, or undefined when none was given. */
export function signerFromOptions(
  options: { signer?: string },
  environment: SignerEnvironment = {},
): Signer | undefined {
  return options.signer ? createSignerFromEnvironment(options.signer, environment) : undefined;
}

/** Hosts (with port) of the http(s) URLs among `targets`. */
function hostsOf(targets: readonly string[]): string[] {
  const hosts = new Set<string>();
  for (const target of targets) {
    try {
      const url = new URL(target);
      if (url.protocol === 'https:' || url.protocol === 'http:') hosts.add(url.host);
    } catch {
      // Not a URL (a local path): nothing to send a token to.
    }
  }
  return [...hosts];
}
