import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DownloadError } from '../errors/download-error.js';
import { digestMatches, encodeMultihash, parseMultihash } from './multihash.js';

describe('multihash', () => {
  it('parses the sha2-256 multihash of "hello world" (the multiformats example)', () => {
    const parsed = parseMultihash(
      '1220b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9',
      'test',
    );
    expect(parsed).toEqual({
      code: 0x12,
      name: 'sha2-256',
      algorithm: 'sha256',
      digest: 'b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9',
    });
    expect(digestMatches(parsed, createHash('sha256').update('hello world').digest('hex'))).toBe(
      true,
    );
  });
  it('reads two-byte varint codes (blake2b-512 is 0xb240 = c0 e4 02)', () => {
    const digest = createHash('blake2b512').update('x').digest();
    const encoded = encodeMultihash(0xb240, digest);
    expect(encoded.startsWith('c0e40240')).toBe(true);
    expect(parseMultihash(encoded, 'test')).toMatchObject({
      name: 'blake2b-512',
      algorithm: 'blake2b512',
      digest: digest.toString('hex'),
    });
  });
  it('names blake2b sizes node:crypto cannot compute, without an algorithm', () => {
    expect(parseMultihash(encodeMultihash(0xb220, new Uint8Array(32)), 'test')).toMatchObject({
      name: 'blake2b-256',
    });
    expect(
      parseMultihash(encodeMultihash(0xb220, new Uint8Array(32)), 'test').algorithm,
    ).toBeUndefined();
  });
  it('refuses malformed values', () => {
    expect(() => parseMultihash('12', 'asset x')).toThrowError(DownloadError);
    expect(() => parseMultihash('1220abcd', 'asset x')).toThrowError(
      /asset x: file:checksum 1220abcd is not a valid multihash \(digest has 2 bytes, the header says 32\)/,
    );
    expect(() => parseMultihash(42, 'asset x')).toThrowError(/not a hex-encoded multihash/);
    expect(() => parseMultihash(encodeMultihash(0x12, new Uint8Array(40)), 'asset x')).toThrowError(
      /sha2-256 digests have 32 bytes/,
    );
  });
});
