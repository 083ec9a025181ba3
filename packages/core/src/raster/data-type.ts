/** Pixel data types, spelled as the STAC raster extension spells them. */
export type DataType =
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'uint8'
  | 'uint16'
  | 'uint32'
  | 'uint64'
  | 'float16'
  | 'float32'
  | 'float64'
  | 'cint16'
  | 'cint32'
  | 'cfloat32'
  | 'cfloat64'
  | 'other';

/**
 * Typed arrays a band is held in. 64-bit integers are held in Float64Array
 * (exact up to 2^53), so every band is a plain number array.
 */
export type TypedArray =
  | Int8Array
  | Uint8Array
  | Uint8ClampedArray
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array;

type NumericArrayConstructor =
  | Int8ArrayConstructor
  | Uint8ArrayConstructor
  | Int16ArrayConstructor
  | Uint16ArrayConstructor
  | Int32ArrayConstructor
  | Uint32ArrayConstructor
  | Float32ArrayConstructor
  | Float64ArrayConstructor;

const CONSTRUCTORS: Partial<Record<DataType, NumericArrayConstructor>> = {
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  float16: Float32Array, // decoded to float32: JS has no float16 array on Node 20
  float32: Float32Array,
  float64: Float64Array,
  int64: Float64Array, // exact up to 2^53
  uint64: Float64Array,
};

/** The typed-array constructor that holds `dataType`; undefined for complex types. */
export function typedArrayFor(dataType: DataType): NumericArrayConstructor | undefined {
  return CONSTRUCTORS[dataType];
}

/** Allocates a typed array of `length` for `dataType`, or throws for types without one. */
export function allocateArray(
  dataType: DataType,
  length: number,
): Exclude<TypedArray, Uint8ClampedArray> {
  const Constructor = typedArrayFor(dataType);
  if (!Constructor) throw new TypeError(`no typed array holds data type '${dataType}'`);
  return new Constructor(length);
}

/** Arrays a writer accepts: any band array, plus exact 64-bit integers as BigInt arrays. */
export type WritableArray = TypedArray | BigInt64Array | BigUint64Array;

/** The data type of a typed array (Float64Array is float64; BigInt arrays are int64/uint64). */
export function dataTypeOf(array: WritableArray): DataType {
  if (array instanceof BigInt64Array) return 'int64';
  if (array instanceof BigUint64Array) return 'uint64';
  if (array instanceof Int8Array) return 'int8';
  if (array instanceof Uint8Array || array instanceof Uint8ClampedArray) return 'uint8';
  if (array instanceof Int16Array) return 'int16';
  if (array instanceof Uint16Array) return 'uint16';
  if (array instanceof Int32Array) return 'int32';
  if (array instanceof Uint32Array) return 'uint32';
  if (array instanceof Float32Array) return 'float32';
  return 'float64';
}

/** Bytes per sample of `dataType`. */
export function bytesPerSample(dataType: DataType): number {
  switch (dataType) {
    case 'int8':
    case 'uint8':
      return 1;
    case 'int16':
    case 'uint16':
    case 'float16':
      return 2;
    case 'int32':
    case 'uint32':
    case 'float32':
    case 'cint16':
      return 4;
    case 'int64':
    case 'uint64':
    case 'float64':
    case 'cint32':
    case 'cfloat32':
      return 8;
    case 'cfloat64':
      return 16;
    default:
      return 8;
  }
}

/** True for float16/32/64. */
export function isFloatType(dataType: DataType): boolean {
  return dataType === 'float16' || dataType === 'float32' || dataType === 'float64';
}

/** Smallest and largest value of each integer type held in a plain number array. */
export const INTEGER_RANGES: Readonly<Partial<Record<DataType, readonly [number, number]>>> = {
  int8: [-128, 127],
  uint8: [0, 255],
  int16: [-32768, 32767],
  uint16: [0, 65535],
  int32: [-2147483648, 2147483647],
  uint32: [0, 4294967295],
};
