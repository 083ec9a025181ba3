import { describe, expect, it } from 'vitest';
import { FUSE_METHODS } from './cube-options.js';
import { fuseLayers, toOutputArray } from './fuse-pixels.js';

const N = Number.NaN;
const layers = [
  Float64Array.of(N, 5, 1, N),
  Float64Array.of(2, 3, N, N),
  Float64Array.of(8, 4, 6, N),
];

describe('fuseLayers', () => {
  const expected: Record<string, number[]> = {
    first: [2, 5, 1, N],
    last: [8, 4, 6, N],
    min: [2, 3, 1, N],
    max: [8, 5, 6, N],
    mean: [5, 4, 3.5, N],
    median: [5, 4, 3.5, N],
    count: [2, 3, 2, 0],
  };
  for (const method of FUSE_METHODS) {
    it(`${method}`, async () => {
      // Fresh copies: `first` and `last` fill the first readable layer in place.
      const fused = await fuseLayers(method, 4, layers.length, async (index) =>
        layers[index]!.slice(),
      );
      expect(Array.from(fused)).toEqual(expected[method]);
    });
  }

  it('first stops pulling layers once every pixel is filled', async () => {
    const pulled: number[] = [];
    const full = [Float64Array.of(1, 2), Float64Array.of(3, 4), Float64Array.of(5, 6)];
    await fuseLayers('first', 2, 3, async (index) => (pulled.push(index), full[index]));
    expect(pulled).toEqual([0]);
    pulled.length = 0;
    await fuseLayers('last', 2, 3, async (index) => (pulled.push(index), full[index]));
    expect(pulled).toEqual([2]);
  });

  it('first fills the first readable layer in place instead of copying it', async () => {
    const own = [Float64Array.of(N, 5, N), Float64Array.of(2, 3, N)];
    const fused = await fuseLayers('first', 3, 2, async (index) => own[index]);
    expect(fused).toBe(own[0]);
    expect(Array.from(fused)).toEqual([2, 5, N]);
    expect(Array.from(await fuseLayers('last', 3, 0, async () => undefined))).toEqual([N, N, N]);
  });

  it('skips unreadable layers (undefined)', async () => {
    expect(
      Array.from(
        await fuseLayers('first', 2, 2, async (index) =>
          index === 0 ? undefined : Float64Array.of(7, N),
        ),
      ),
    ).toEqual([7, N]);
  });
});

describe('toOutputArray', () => {
  it('rounds half up and clamps integers, writes nodata for NaN', () => {
    expect(
      Array.from(toOutputArray(Float64Array.of(1.5, 2.49, -3, 70000, N), 'uint16', 0)),
    ).toEqual([2, 2, 0, 65535, 0]);
    const floats = toOutputArray(Float64Array.of(1.25, N), 'float32', Number.NaN);
    expect(floats).toBeInstanceOf(Float32Array);
    expect(Number.isNaN(floats[1]!)).toBe(true);
  });
});
