import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { fileUrlToPath, hasNodeBuiltins, nodeBuiltin, OptionError } from '@pyramids/core';

const processWithBuiltins = process as { getBuiltinModule?: unknown };
const original = processWithBuiltins.getBuiltinModule;

describe('nodeBuiltin', () => {
  afterEach(() => {
    processWithBuiltins.getBuiltinModule = original;
  });

  it('gives the built-in module on Node', () => {
    expect(hasNodeBuiltins()).toBe(true);
    expect(typeof nodeBuiltin('node:fs/promises', 'a test').readFile).toBe('function');
    expect(nodeBuiltin('node:path', 'a test').join('a', 'b')).toBe('a/b');
  });

  it('throws an OptionError naming the purpose where there is no Node (as in a browser)', () => {
    processWithBuiltins.getBuiltinModule = undefined;
    expect(hasNodeBuiltins()).toBe(false);
    expect(() => nodeBuiltin('node:fs/promises', 'reading a local file')).toThrow(OptionError);
    expect(() => nodeBuiltin('node:fs/promises', 'reading a local file')).toThrow(
      /^reading a local file needs Node\.js .*use an http\(s\) URL/,
    );
  });

  it('turns file: URLs into paths with and without Node', () => {
    const href = pathToFileURL('/tmp/a folder/x#1.tif').href;
    expect(fileUrlToPath(href)).toBe('/tmp/a folder/x#1.tif');
    processWithBuiltins.getBuiltinModule = undefined;
    expect(fileUrlToPath(href)).toBe('/tmp/a folder/x#1.tif');
  });
});
