// The warp's float64 buffer pool: buffers handed back are lent again only when they fit
// (not more than twice the size), never twice at once, and views of other buffers are refused.
import { describe, expect, it } from 'vitest';
import { giveBackFloat64, takeFloat64 } from './float64-pool.js';

describe('float64 pool', () => {
  it('lends a handed-back buffer again to a request it fits, once', () => {
    const first = takeFloat64(10_000);
    const buffer = first.buffer;
    giveBackFloat64(first);
    const again = takeFloat64(9_000);
    expect(again.buffer).toBe(buffer);
    expect(again.length).toBe(9_000);
    // Taken: the next request of that size gets a new buffer, not the same one twice.
    expect(takeFloat64(9_000).buffer).not.toBe(buffer);
  });

  it('does not lend a buffer more than twice the size asked for', () => {
    const large = takeFloat64(50_000);
    giveBackFloat64(large);
    expect(takeFloat64(20_000).buffer).not.toBe(large.buffer);
    expect(takeFloat64(30_000).buffer).toBe(large.buffer);
  });

  it('refuses views into the middle of a buffer and the same buffer twice', () => {
    const whole = new Float64Array(20_000);
    giveBackFloat64(whole.subarray(5_000));
    expect(takeFloat64(15_000).buffer).not.toBe(whole.buffer);
    const owned = takeFloat64(12_345);
    giveBackFloat64(owned);
    giveBackFloat64(owned);
    expect(takeFloat64(12_345).buffer).toBe(owned.buffer);
    expect(takeFloat64(12_345).buffer).not.toBe(owned.buffer);
  });
});
