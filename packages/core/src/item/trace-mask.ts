// Outlines of the valid pixels of a small boolean mask, by following pixel
// edges between valid and invalid pixels, then Douglas–Peucker simplification.
import { ringArea, type Position, type Ring } from './footprint.js';

/**
 * Traces the outer boundaries of the `true` regions of a row-major mask of
 * `width × height`, in pixel coordinates ((0, 0) is the top-left corner of the
 * first pixel). Holes are not returned: a footprint covers them. Each ring is
 * closed; regions that touch only at a corner come out as separate rings.
 */
export function traceMask(
  mask: ArrayLike<boolean | number>,
  width: number,
  height: number,
): Ring[] {
  const valid = (col: number, row: number) =>
    col >= 0 && row >= 0 && col < width && row < height && Boolean(mask[row * width + col]);
  const stride = width + 1;
  const key = (x: number, y: number) => y * stride + x;
  // Directed boundary edges, clockwise on screen around each valid pixel: valid on the right.
  const outgoing = new Map<number, number[]>();
  const addEdge = (x0: number, y0: number, x1: number, y1: number) => {
    const from = key(x0, y0);
    const list = outgoing.get(from);
    if (list) list.push(key(x1, y1));
    else outgoing.set(from, [key(x1, y1)]);
  };
  for (let row = 0; row < height; row++) {
    for (let col = 0; col < width; col++) {
      if (!valid(col, row)) continue;
      if (!valid(col, row - 1)) addEdge(col, row, col + 1, row);
      if (!valid(col + 1, row)) addEdge(col + 1, row, col + 1, row + 1);
      if (!valid(col, row + 1)) addEdge(col + 1, row + 1, col, row + 1);
      if (!valid(col - 1, row)) addEdge(col, row + 1, col, row);
    }
  }
  const rings: Ring[] = [];
  const point = (vertex: number): Position => [vertex % stride, Math.floor(vertex / stride)];
  for (const [start, targets] of outgoing) {
    while (targets.length > 0) {
      const ring: Ring = [point(start)];
      let previous = start;
      let current = targets.pop()!;
      while (current !== start) {
        ring.push(point(current));
        const choices = outgoing.get(current)!;
        // At a corner shared by two diagonal pixels, turn right to keep the regions apart.
        let index = choices.length - 1;
        if (choices.length > 1)
          index = rightmostTurn(point(previous), point(current), choices.map(point));
        previous = current;
        current = choices.splice(index, 1)[0]!;
      }
      ring.push(point(start));
      // Outer boundaries run clockwise on screen: positive shoelace area with y down; holes are negative.
      if (ringArea(ring) > 0) rings.push(removeCollinear(ring));
    }
  }
  return rings;
}

function rightmostTurn(previous: Position, current: Position, choices: Position[]): number {
  const dx = current[0] - previous[0];
  const dy = current[1] - previous[1];
  let best = 0;
  let bestScore = -Infinity;
  choices.forEach((choice, index) => {
    const ex = choice[0] - current[0];
    const ey = choice[1] - current[1];
    // With y down, a right turn has a positive cross product.
    const score = dx * ey - dy * ex;
    if (score > bestScore) {
      bestScore = score;
      best = index;
    }
  });
  return best;
}

function removeCollinear(ring: Ring): Ring {
  const open = ring.slice(0, -1);
  const result: Ring = [];
  for (let index = 0; index < open.length; index++) {
    const previous = open[(index + open.length - 1) % open.length]!;
    const current = open[index]!;
    const next = open[(index + 1) % open.length]!;
    const cross =
      (current[0] - previous[0]) * (next[1] - current[1]) -
      (current[1] - previous[1]) * (next[0] - current[0]);
    if (cross !== 0) result.push(current);
  }
  result.push(result[0]!);
  return result;
}

function perpendicularDistance(point: Position, start: Position, end: Position): number {
  const dx = end[0] - start[0];
  const dy = end[1] - start[1];
  const length = Math.hypot(dx, dy);
  if (length === 0) return Math.hypot(point[0] - start[0], point[1] - start[1]);
  return Math.abs(dy * point[0] - dx * point[1] + end[0] * start[1] - end[1] * start[0]) / length;
}

/** Douglas–Peucker simplification of an open polyline; keeps both ends. */
export function simplifyLine(line: Ring, tolerance: number): Ring {
  if (line.length <= 2) return line.slice();
  const keep = new Uint8Array(line.length);
  keep[0] = 1;
  keep[line.length - 1] = 1;
  const stack: [number, number][] = [[0, line.length - 1]];
  while (stack.length > 0) {
    const [first, last] = stack.pop()!;
    let farthest = -1;
    let distance = tolerance;
    for (let index = first + 1; index < last; index++) {
      const d = perpendicularDistance(line[index]!, line[first]!, line[last]!);
      if (d > distance) {
        distance = d;
        farthest = index;
      }
    }
    if (farthest !== -1) {
      keep[farthest] = 1;
      stack.push([first, farthest], [farthest, last]);
    }
  }
  return line.filter((_, index) => keep[index] === 1);
}

/**
 * Douglas–Peucker simplification of a closed ring: split at its first vertex and
 * the vertex farthest from it, simplify both halves. Never returns fewer than
 * four positions (a triangle) when the input had at least that many.
 */
export function simplifyRing(ring: Ring, tolerance: number): Ring {
  const open =
    ring.length > 1 &&
    ring[0]![0] === ring[ring.length - 1]![0] &&
    ring[0]![1] === ring[ring.length - 1]![1]
      ? ring.slice(0, -1)
      : ring.slice();
  if (open.length <= 3 || !(tolerance > 0)) return [...open, open[0]!];
  let farthest = 1;
  let distance = -1;
  for (let index = 1; index < open.length; index++) {
    const d = Math.hypot(open[index]![0] - open[0]![0], open[index]![1] - open[0]![1]);
    if (d > distance) {
      distance = d;
      farthest = index;
    }
  }
  const first = simplifyLine(open.slice(0, farthest + 1), tolerance);
  const second = simplifyLine([...open.slice(farthest), open[0]!], tolerance);
  const result = [...first, ...second.slice(1)];
  if (result.length < 4)
    return [...open, open[0]!].length <= 4 ? [...open, open[0]!] : keepTriangle(open);
  return result;
}

function keepTriangle(open: Ring): Ring {
  // Degenerate after simplification: keep the three vertices spanning the most area.
  const a = open[0]!;
  let b = open[1]!;
  let c = open[2]!;
  let best = -1;
  for (let i = 1; i < open.length; i++) {
    for (let j = i + 1; j < open.length; j++) {
      const area = Math.abs(ringArea([a, open[i]!, open[j]!]));
      if (area > best) {
        best = area;
        b = open[i]!;
        c = open[j]!;
      }
    }
  }
  return [a, b, c, a];
}
