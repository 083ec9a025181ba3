// `first`/`last` fused straight into the output type equal fusing float64 layers and
// converting (the general path), for shifted typed layers, resampled float layers, other
// source types, nodata and NaN; and stop pulling layers once every pixel is filled.
import { describe, expect, it } from 'vitest';
import type { DataType, TypedArray } from '../raster/data-type.js';
import type { WarpedPixels, WarpPlan } from '../warp/warp-raster.js';
import { warpedToFloat64 } from '../warp/warp-raster.js';
import { fuseLayers, toOutputArray } from './fuse-pixels.js';
import { pickLayers } from './pick-layers.js';

const target = { x: 10, y: 20, width: 4, height: 3 };

/** A shifted layer: `values` over a source window that covers `covered` of the target window. */
function shifted(
  values: TypedArray,
  covered: { x: number; y: number; width: number; height: number },
  nodata: number | undefined,
): WarpedPixels {
  // Target pixel (x, y) is source pixel (x + 5, y - 2).
  const shift: [number, number] = [5, -2];
  const plan = {
    level: 0,
    targetWindow: target,
    sourceWindow: {
      x: covered.x + shift[0],
      y: covered.y + shift[1],
      width: covered.width,
      height: covered.height,
    },
    parts: [],
    resampling: 'nearest',
    shift,
  } as unknown as WarpPlan & { shift: [number, number] };
  return { kind: 'shifted', plan, values: [values], nodata: [nodata] };
}

function resampled(values: number[]): WarpedPixels {
  return {
    kind: 'resampled',
    plan: { targetWindow: target } as WarpPlan,
    data: [Float64Array.from(values)],
  };
}

/** The general path: float64 layers fused, then converted. */
async function general(
  method: 'first' | 'last',
  dataType: DataType,
  nodata: number,
  layers: (WarpedPixels | undefined)[],
): Promise<TypedArray> {
  const fused = await fuseLayers(method, 12, layers.length, async (index) => {
    const layer = layers[index];
    return layer && warpedToFloat64(layer)[0];
  });
  return toOutputArray(fused, dataType, nodata);
}

const layers = (): (WarpedPixels | undefined)[] => [
  // Right half of the window, uint16 with nodata 0 (one pixel of it is nodata).
  shifted(Uint16Array.from([7, 0, 9, 10, 11, 12]), { x: 12, y: 20, width: 2, height: 3 }, 0),
  undefined, // a source that failed with errorsAsNodata
  // Resampled float: fills some of the left half, NaN elsewhere; 65535.7 clamps for uint16.
  resampled([1.4, NaN, NaN, NaN, 2.5, 65535.7, NaN, NaN, -3, NaN, NaN, NaN]),
  // Float32 source over the whole window, NaN as no data.
  shifted(
    Float32Array.from([0.5, 1.5, 2.5, NaN, 4.49, 5, 6, 7, 8, 9, 10, 11]),
    { x: 10, y: 20, width: 4, height: 3 },
    undefined,
  ),
];

describe('pickLayers', () => {
  for (const method of ['first', 'last'] as const)
    for (const [dataType, nodata] of [
      ['uint16', 0],
      ['int16', -9999],
      ['float32', Number.NaN],
      ['uint8', 255],
    ] as [DataType, number][])
      it(`${method} into ${dataType} equals fusing float64 layers and converting`, async () => {
        const expected = await general(method, dataType, nodata, layers());
        const actual = await pickLayers(
          method,
          dataType,
          nodata,
          12,
          4,
          async (index) => layers()[index],
        );
        expect(actual.constructor).toBe(expected.constructor);
        expect(Array.from(actual)).toEqual(Array.from(expected));
      });

  it('stops pulling layers once every pixel is filled', async () => {
    const pulled: number[] = [];
    const full = shifted(
      Uint16Array.from({ length: 12 }, (_, index) => index + 1),
      { x: 10, y: 20, width: 4, height: 3 },
      0,
    );
    const output = await pickLayers('first', 'uint16', 0, 12, 3, async (index) => {
      pulled.push(index);
      return full;
    });
    expect(pulled).toEqual([0]);
    expect(Array.from(output)).toEqual(Array.from({ length: 12 }, (_, index) => index + 1));
  });

  it('tells each layer after the first which pixels are filled, so it may leave them out', async () => {
    const seen: (number[] | undefined)[] = [];
    const all = layers();
    await pickLayers('first', 'uint16', 0, 12, 4, async (index, filled) => {
      seen.push(filled && Array.from(filled));
      return all[index];
    });
    // The first layer fills the right half but its one nodata pixel (row 0, column 3).
    const rightHalf = [0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1];
    rightHalf[2] = 1;
    expect(seen[0]).toBeUndefined();
    expect(seen[1]).toEqual(rightHalf);
    // The failed source fills nothing; the resampled one adds pixels 0, 4, 5 and 8.
    expect(seen[2]).toEqual(rightHalf);
    expect(seen[3]).toEqual(
      rightHalf.map((value, index) => ([0, 4, 5, 8].includes(index) ? 1 : value)),
    );
  });

  it('a pixel whose only value equals the output nodata stays filled, as in the general path', async () => {
    // 255 is valid in the uint16 source (its nodata is 0) and is the output's nodata.
    const first = shifted(
      Uint16Array.from([255, 0, 0, 0]),
      { x: 10, y: 20, width: 4, height: 1 },
      0,
    );
    const second = resampled([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    const expected = await general('first', 'uint16', 255, [first, second]);
    const actual = await pickLayers('first', 'uint16', 255, 12, 2, async (index) =>
      index === 0 ? first : second,
    );
    expect(Array.from(actual)).toEqual(Array.from(expected));
    expect(actual[0]).toBe(255);
  });
});
