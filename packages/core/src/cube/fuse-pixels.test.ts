import { describe, expect, it } from 'vitest';
import { FUSE_METHODS } from './cube-options.js';
import { fuseLayers, percentileOf, sortedPercentile, toOutputArray } from './fuse-pixels.js';

const N = Number.NaN;
const layers = [
  Float64Array.of(N, 5, 1, N),
  Float64Array.of(2, 3, N, N),
  Float64Array.of(8, 4, 6, N),
];

describe('percentiles', () => {
  it('interpolate linearly between ranks, as numpy.percentile', () => {
    // numpy.percentile([1, 2, 4, 8], q): rank q/100 × 3.
    const values = [1, 2, 4, 8];
    expect(sortedPercentile(values, 0)).toBe(1);
    expect(sortedPercentile(values, 25)).toBe(1.75); // rank 0.75: 1 + 0.75 × (2 − 1)
    expect(sortedPercentile(values, 50)).toBe(3); // rank 1.5: (2 + 4) / 2
    expect(sortedPercentile(values, 75)).toBe(5); // rank 2.25: 4 + 0.25 × (8 − 4)
    expect(sortedPercentile(values, 90)).toBeCloseTo(6.8, 12); // rank 2.7: 4 + 0.7 × 4
    expect(sortedPercentile(values, 100)).toBe(8);
    expect(sortedPercentile([7], 33)).toBe(7);
  });

  it('are named pNN, 0 to 100', () => {
    expect(percentileOf('p25')).toBe(25);
    expect(percentileOf('p2.5')).toBe(2.5);
    expect(percentileOf('p100')).toBe(100);
    expect(percentileOf('p101')).toBeUndefined();
    expect(percentileOf('median')).toBeUndefined();
    expect(percentileOf('p')).toBeUndefined();
  });

  it('fuse per pixel over the valid layers only', async () => {
    const pull = async (index: number) => layers[index]!.slice();
    // Valid values per pixel: [2, 8], [3, 4, 5], [1, 6], none.
    expect(Array.from(await fuseLayers('p25', 4, 3, pull))).toEqual([3.5, 3.5, 2.25, N]);
    expect(Array.from(await fuseLayers('p75', 4, 3, pull))).toEqual([6.5, 4.5, 4.75, N]);
    expect(Array.from(await fuseLayers('p50', 4, 3, pull))).toEqual([5, 4, 3.5, N]);
    expect(Array.from(await fuseLayers('p0', 4, 3, pull))).toEqual([2, 3, 1, N]);
    expect(Array.from(await fuseLayers('p100', 4, 3, pull))).toEqual([8, 5, 6, N]);
  });
});

describe('fuse functions', () => {
  it('run per pixel with the values of every layer and which are valid', async () => {
    const seen: string[] = [];
    const range = (values: Float64Array, valid: Uint8Array) => {
      seen.push(`${Array.from(values).join(',')}|${Array.from(valid).join('')}`);
      let low = Infinity;
      let high = -Infinity;
      values.forEach((value, index) => {
        if (valid[index]) [low, high] = [Math.min(low, value), Math.max(high, value)];
      });
      return high >= low ? high - low : Number.NaN;
    };
    const fused = await fuseLayers(range, 4, 3, async (index) => layers[index]!.slice());
    // Valid values per pixel: [2, 8], [5, 3, 4], [1, 6], none.
    expect(Array.from(fused)).toEqual([6, 2, 5, N]);
    expect(seen[0]).toBe('NaN,2,8|011');
    expect(seen[3]).toBe('NaN,NaN,NaN|000');
  });

  it('see an unreadable layer as no data', async () => {
    const count = (_values: Float64Array, valid: Uint8Array) => valid.reduce((a, b) => a + b, 0);
    const fused = await fuseLayers(count, 4, 3, async (index) =>
      index === 1 ? undefined : layers[index]!.slice(),
    );
    expect(Array.from(fused)).toEqual([1, 2, 2, 0]);
  });
});

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
