import { describe, expect, it } from 'vitest';
import { simplifyLine, simplifyRing, traceMask } from './trace-mask.js';

function maskOf(rows: string[]): { mask: Uint8Array; width: number; height: number } {
  const width = rows[0]!.length;
  return {
    mask: Uint8Array.from(rows.join('').split(''), (cell) => (cell === '#' ? 1 : 0)),
    width,
    height: rows.length,
  };
}

describe('traceMask', () => {
  it('traces a rectangle to its four corners', () => {
    const { mask, width, height } = maskOf(['....', '.##.', '.##.', '....']);
    expect(traceMask(mask, width, height)).toEqual([
      [
        [1, 1],
        [3, 1],
        [3, 3],
        [1, 3],
        [1, 1],
      ],
    ]);
  });
  it('follows an L shape and ignores holes', () => {
    const { mask, width, height } = maskOf(['###', '#.#', '###', '#..']);
    const rings = traceMask(mask, width, height);
    expect(rings).toHaveLength(1);
    expect(rings[0]).toEqual([
      [0, 0],
      [3, 0],
      [3, 3],
      [1, 3],
      [1, 4],
      [0, 4],
      [0, 0],
    ]);
  });
  it('keeps regions that touch at a corner apart', () => {
    const { mask, width, height } = maskOf(['#.', '.#']);
    const rings = traceMask(mask, width, height);
    expect(rings).toHaveLength(2);
    expect(rings.map((ring) => ring.length)).toEqual([5, 5]);
  });
  it('returns nothing for an empty mask', () => {
    expect(traceMask(new Uint8Array(9), 3, 3)).toEqual([]);
  });
});

describe('Douglas–Peucker', () => {
  it('drops points closer to the chord than the tolerance', () => {
    expect(
      simplifyLine(
        [
          [0, 0],
          [1, 0.1],
          [2, -0.1],
          [3, 5],
          [4, 6],
        ],
        0.5,
      ),
    ).toEqual([
      [0, 0],
      [2, -0.1],
      [3, 5],
      [4, 6],
    ]);
  });
  it('simplifies a staircase ring to its shape and keeps it closed', () => {
    const stairs: [number, number][] = [
      [0, 0],
      [10, 0],
      [10, 10],
    ];
    for (let step = 10; step > 0; step--) stairs.push([step - 1, step], [step - 1, step - 1]);
    stairs.push([0, 0]);
    const simplified = simplifyRing(stairs, 1.5);
    expect(simplified[0]).toEqual(simplified[simplified.length - 1]);
    expect(simplified.length).toBeLessThanOrEqual(5);
    expect(simplified).toContainEqual([10, 0]);
  });
});
