import { SignerError } from '@pyramids/core';
import { describe, expect, it } from 'vitest';
import { awsRequesterPaysSigner } from '@pyramids/signers-aws';
import { earthdataSigner } from '@pyramids/signers-earthdata';
import {
  createSignerFromDescription,
  createSignerFromEnvironment,
  SIGNER_NAMES,
  signerFromOptions,
} from './signer-option.js';

describe('createSignerFromEnvironment', () => {
  it('builds every named signer, with the id it is named by', () => {
    for (const name of SIGNER_NAMES) {
      const signer = createSignerFromEnvironment(name, {
        env: { PYRAMIDS_BEARER_TOKEN: 't0ken', PYRAMIDS_BEARER_HOSTS: 'api.example.com' },
      });
      expect(signer.id).toBe(name);
      expect(signer.kind).toBe('signer');
    }
  });

  it('reads bearer hosts from PYRAMIDS_BEARER_HOSTS, or takes the hosts of the command targets', async () => {
    const listed = createSignerFromEnvironment('bearer', {
      env: {
        PYRAMIDS_BEARER_TOKEN: 'abc',
        PYRAMIDS_BEARER_HOSTS: 'a.example.com, b.example.com:8443',
      },
    });
    expect(listed.describe!()).toEqual({
      id: 'bearer',
      options: { hosts: ['a.example.com', 'b.example.com:8443'] },
    });
    const fromTargets = createSignerFromEnvironment('bearer', {
      env: { PYRAMIDS_BEARER_TOKEN: 'abc' },
      targets: ['https://stac.example.com/api/search', './local.json'],
    });
    expect(await fromTargets.headers!('https://stac.example.com/api/search')).toEqual({
      Authorization: 'Bearer abc',
    });
    expect(await fromTargets.headers!('https://elsewhere.example.com/')).toEqual({});
  });

  it('names the variable to set when bearer has no token or no hosts', () => {
    expect(() => createSignerFromEnvironment('bearer', { env: {} })).toThrow(SignerError);
    expect(() => createSignerFromEnvironment('bearer', { env: {} })).toThrow(
      /PYRAMIDS_BEARER_TOKEN is not set/,
    );
    expect(() =>
      createSignerFromEnvironment('bearer', {
        env: { PYRAMIDS_BEARER_TOKEN: 'x' },
        targets: ['local.tif'],
      }),
    ).toThrow(/set PYRAMIDS_BEARER_HOSTS/);
  });

  it('takes options from the environment (AWS_REGION, PC_SDK_SAS_URL)', () => {
    expect(
      createSignerFromEnvironment('aws-requester-pays', { env: { AWS_REGION: 'eu-west-1' } })
        .describe!().options,
    ).toEqual({ region: 'eu-west-1' });
    expect(
      createSignerFromEnvironment('planetary-computer', {
        env: { PC_SDK_SAS_URL: 'http://127.0.0.1:1/token' },
      }).describe!().options,
    ).toMatchObject({ sasUrl: 'http://127.0.0.1:1/token' });
  });

  it('refuses unknown names and returns nothing without --signer', () => {
    expect(() => createSignerFromEnvironment('azure', {})).toThrow(
      /unknown signer 'azure'; choose one of anonymous, bearer/,
    );
    expect(signerFromOptions({})).toBeUndefined();
    expect(signerFromOptions({ signer: 'anonymous' })!.id).toBe('anonymous');
  });
});

describe('createSignerFromDescription', () => {
  it('rebuilds each signer from describe() with secrets from the environment, as a worker does', async () => {
    const env = { PYRAMIDS_BEARER_TOKEN: 'worker-token', EARTHDATA_TOKEN: 'edl-from-worker-env' };
    for (const name of SIGNER_NAMES) {
      const original = createSignerFromEnvironment(name, {
        env: { ...env, PYRAMIDS_BEARER_HOSTS: 'api.example.com' },
      });
      const description = JSON.parse(JSON.stringify(original.describe!())) as {
        id: string;
        options: Record<string, unknown>;
      };
      const rebuilt = createSignerFromDescription(description, { env });
      expect(rebuilt.describe!()).toEqual(original.describe!());
    }
    const custom = awsRequesterPaysSigner({
      region: 'eu-central-1',
      buckets: ['b'],
      endpoint: 'http://127.0.0.1:9000',
      env: {},
    });
    expect(createSignerFromDescription(custom.describe!(), { env: {} }).describe!()).toEqual(
      custom.describe!(),
    );
    const earthdata = createSignerFromDescription(
      earthdataSigner({ hosts: ['data.example.gov'], env: {} }).describe!(),
      { env },
    );
    expect(await earthdata.headers!('https://data.example.gov/x')).toEqual({
      Authorization: 'Bearer edl-from-worker-env',
    });
    expect(await earthdata.headers!('https://cmr.earthdata.nasa.gov/x')).toEqual({});
  });
});
