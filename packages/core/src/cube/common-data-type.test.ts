import { expect, it } from 'vitest';
import { commonDataType } from './common-data-type.js';

it('promotes the types of stacked assets to one that holds them all', () => {
  expect(commonDataType(['uint16', 'uint16'])).toBe('uint16');
  expect(commonDataType(['uint8', 'uint16'])).toBe('uint16');
  expect(commonDataType(['uint8', 'int8'])).toBe('int16');
  expect(commonDataType(['uint16', 'int16'])).toBe('int32');
  expect(commonDataType(['uint32', 'int16'])).toBe('float64');
  expect(commonDataType(['uint16', 'float32'])).toBe('float32');
  expect(commonDataType(['int32', 'float32'])).toBe('float64');
});
