// TIFF LZW (compression 5), encoded the way libtiff does: codes of 9 to 12 bits,
// packed most significant bit first, a Clear code first and whenever the table
// reaches 4094 entries, the code width growing once the next free code passes the
// largest code of the current width, and an End-of-Information code last.

const CLEAR = 256;
const END_OF_INFORMATION = 257;
const FIRST_FREE = 258;
const TABLE_FULL = 4094;

/** Compresses `input` with TIFF's LZW. */
export function encodeLzw(input: Uint8Array): Uint8Array {
  // Worst case: one 12-bit code per byte, plus a Clear code every 3836 codes.
  let output = new Uint8Array(Math.ceil(input.length * 1.55) + 16);
  let position = 0;
  let buffer = 0;
  let bits = 0;
  let width = 9;
  let maximum = 511;
  const put = (code: number) => {
    buffer = (buffer << width) | code;
    bits += width;
    while (bits >= 8) {
      bits -= 8;
      if (position === output.length) {
        const larger = new Uint8Array(output.length * 2);
        larger.set(output);
        output = larger;
      }
      output[position++] = (buffer >>> bits) & 0xff;
    }
    buffer &= (1 << bits) - 1;
  };
  const table = new Map<number, number>();
  let next = FIRST_FREE;
  put(CLEAR);
  if (input.length > 0) {
    let prefix = input[0]!;
    for (let index = 1; index < input.length; index++) {
      const byte = input[index]!;
      const key = prefix * 256 + byte;
      const found = table.get(key);
      if (found !== undefined) {
        prefix = found;
        continue;
      }
      put(prefix);
      table.set(key, next++);
      if (next === TABLE_FULL) {
        put(CLEAR);
        table.clear();
        next = FIRST_FREE;
        width = 9;
        maximum = 511;
      } else if (next > maximum) {
        width++;
        maximum = (1 << width) - 1;
      }
      prefix = byte;
    }
    put(prefix);
    next++;
    if (next === TABLE_FULL) {
      put(CLEAR);
      width = 9;
    } else if (next > maximum) {
      width++;
    }
  }
  put(END_OF_INFORMATION);
  if (bits > 0) {
    if (position === output.length) {
      const larger = new Uint8Array(output.length + 1);
      larger.set(output);
      output = larger;
    }
    output[position++] = (buffer << (8 - bits)) & 0xff;
  }
  return output.subarray(0, position);
}
