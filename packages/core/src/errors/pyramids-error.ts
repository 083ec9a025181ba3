const BRAND = Symbol.for('@pyramids/core/error');

/** Options every pyramids error accepts. */
export interface PyramidsErrorOptions {
  /** Id of the plugin involved, when one is. */
  plugin?: string;
  /** The error being wrapped. */
  cause?: unknown;
  /** Structured fields a caller can inspect instead of parsing the message. */
  details?: Record<string, unknown>;
}

/**
 * Base class of every error pyramids throws on purpose. `code` is stable across
 * releases; `isInstance` works across two installed copies of core because it
 * checks a global symbol brand instead of the prototype chain.
 */
export class PyramidsError extends Error {
  /** Stable machine-readable code, e.g. `STAC_ASSET`. */
  readonly code: string;
  /** Id of the plugin involved, if any. */
  readonly plugin: string | undefined;
  /** Structured fields describing the failure. */
  readonly details: Record<string, unknown>;

  constructor(code: string, message: string, options: PyramidsErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PyramidsError';
    this.code = code;
    this.plugin = options.plugin;
    this.details = options.details ?? {};
    // The brand, not instanceof, identifies our errors across copies of core.
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** True for any pyramids error, from this or another copy of core. */
  static isInstance(error: unknown): error is PyramidsError {
    return (
      typeof error === 'object' &&
      error !== null &&
      (error as Record<symbol, unknown>)[BRAND] === true
    );
  }
}

/** Cross-copy check used by every subclass's `isInstance`: brand plus stable code. */
export function isCode(error: unknown, code: string): boolean {
  return PyramidsError.isInstance(error) && error.code === code;
}
