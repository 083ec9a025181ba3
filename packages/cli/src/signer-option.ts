import {
  anonymousSigner,
  bearerTokenSigner,
  OptionError,
  SignerError,
  type Signer,
  type SignerDescription,
} from '@pyramids/core';
import { awsAnonymousSigner, awsRequesterPaysSigner } from '@pyramids/signers-aws';
import { cdseS3Signer, cdseSigner } from '@pyramids/signers-cdse';
import { earthdataSigner } from '@pyramids/signers-earthdata';
import { planetaryComputerSigner } from '@pyramids/signers-planetary-computer';
import { Option, type Command } from 'commander';
import { loadedSigners } from './plugin-option.js';

/** The built-in signers `--signer` accepts (a `--plugin` may add more: see {@link signerIds}). */
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

/** Adds `--signer ID` to a command that reads or searches: a built-in signer or one a `--plugin` registered. */
export function addSignerOption(command: Command): Command {
  return command.addOption(
    new Option('--signer <id>', `${HELP}; or the id of a signer loaded with --plugin`),
  );
}

/** The bearer signer of the CLI: its token from PYRAMIDS_BEARER_TOKEN, for `hosts` only. */
function bearerFromEnvironment(
  env: Record<string, string | undefined>,
  hosts: readonly string[],
): Signer {
  const token = env['PYRAMIDS_BEARER_TOKEN'];
  if (!token) {
    throw new SignerError(
      'bearer: PYRAMIDS_BEARER_TOKEN is not set; set it to the token to send as "Authorization: Bearer …"',
      { plugin: 'bearer' },
    );
  }
  if (hosts.length === 0) {
    throw new OptionError(
      'bearer: set PYRAMIDS_BEARER_HOSTS to the comma-separated hosts the token is for (e.g. api.example.com)',
      { plugin: 'bearer' },
    );
  }
  return {
    ...bearerTokenSigner(token, { hosts }),
    fromDescription: (description, environment) =>
      bearerFromEnvironment(
        environment?.env ?? process.env,
        (description.options['hosts'] as string[] | undefined) ?? [],
      ),
  };
}

/** How each built-in signer is made from the environment; each rebuilds itself from a description (`fromDescription`). */
const BUILT_IN_SIGNERS: Record<
  SignerName,
  (env: Record<string, string | undefined>, targets: readonly string[]) => Signer
> = {
  anonymous: () => anonymousSigner(),
  bearer: (env, targets) =>
    bearerFromEnvironment(
      env,
      env['PYRAMIDS_BEARER_HOSTS']
        ? env['PYRAMIDS_BEARER_HOSTS']
            .split(',')
            .map((host) => host.trim())
            .filter(Boolean)
        : hostsOf(targets),
    ),
  'aws-requester-pays': (env) => awsRequesterPaysSigner({ env }),
  'aws-anonymous': (env) => awsAnonymousSigner({ env }),
  'planetary-computer': (env) => planetaryComputerSigner({ env }),
  earthdata: (env) => earthdataSigner({ env }),
  cdse: (env) => cdseSigner({ env }),
  'cdse-s3': (env) => cdseS3Signer({ env }),
};

/** Every id `--signer` accepts now: the built-in signers, then those loaded with `--plugin`. */
export function signerIds(): string[] {
  return [...new Set([...SIGNER_NAMES, ...loadedSigners().map((signer) => signer.id)])];
}

/**
 * Builds the signer with id `name`, its options and secrets taken from the
 * environment; a signer loaded with `--plugin` is used as its module built it.
 * Throws OptionError for an unknown id and SignerError when `bearer` has no
 * token. Other signers report missing credentials on first use, naming the
 * variables to set.
 */
export function createSignerFromEnvironment(
  name: string,
  environment: SignerEnvironment = {},
): Signer {
  const env = environment.env ?? process.env;
  const builtIn = Object.hasOwn(BUILT_IN_SIGNERS, name)
    ? BUILT_IN_SIGNERS[name as SignerName]
    : undefined;
  if (builtIn) return builtIn(env, environment.targets ?? []);
  // The last loaded wins, as in a registry.
  const loaded = loadedSigners()
    .reverse()
    .find((signer) => signer.id === name);
  if (loaded) return loaded;
  throw new OptionError(
    `unknown signer '${name}'; choose one of ${signerIds().join(', ')}, or load one with --plugin`,
  );
}

/**
 * Rebuilds a signer from what its `describe()` returned, with secrets from the
 * environment, as a worker thread or another machine does before reading a
 * chunk: the signer of that id asks its own `fromDescription`, so third-party
 * signers loaded with `--plugin` are rebuilt the same way.
 */
export function createSignerFromDescription(
  description: SignerDescription,
  environment: SignerEnvironment = {},
): Signer {
  const env = environment.env ?? process.env;
  const hosts = description.options['hosts'];
  const base =
    description.id === 'bearer'
      ? bearerFromEnvironment(env, Array.isArray(hosts) ? (hosts as string[]) : [])
      : createSignerFromEnvironment(description.id, environment);
  return base.fromDescription ? base.fromDescription(description, { env }) : base;
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
