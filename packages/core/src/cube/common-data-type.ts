import type { DataType } from '../raster/data-type.js';

/** The smallest type holding every one of `types`: itself when all agree, the widest unsigned or signed integer, else float64. */
export function commonDataType(types: DataType[]): DataType {
  if (types.every((type) => type === types[0])) return types[0]!;
  const unsigned: DataType[] = ['uint8', 'uint16', 'uint32'];
  const signed: DataType[] = ['int8', 'int16', 'int32'];
  if (types.every((type) => unsigned.includes(type)))
    return unsigned[Math.max(...types.map((type) => unsigned.indexOf(type)))]!;
  if (types.every((type) => signed.includes(type) || unsigned.includes(type))) {
    // A signed type twice as wide as the widest unsigned one holds both.
    const width = Math.max(
      ...types.map((type) =>
        signed.includes(type) ? signed.indexOf(type) : unsigned.indexOf(type) + 1,
      ),
    );
    if (width < signed.length) return signed[width]!;
  }
  if (
    types.every(
      (type) =>
        type === 'float32' ||
        unsigned.slice(0, 2).includes(type) ||
        signed.slice(0, 2).includes(type),
    )
  )
    return 'float32';
  return 'float64';
}
