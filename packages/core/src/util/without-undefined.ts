/**
 * The object without its undefined properties, in place: for objects that become JSON,
 * STAC metadata or are spread over defaults, where a key set to undefined would differ
 * from a key left out.
 */
export function withoutUndefined<T extends object>(value: T): T {
  for (const key of Object.keys(value) as (keyof T)[])
    if (value[key] === undefined) delete value[key];
  return value;
}
