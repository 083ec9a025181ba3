// Replaced by the version in package.json when the package is built (tsup `define`) or tested.
declare const __PACKAGE_VERSION__: string | undefined;

/** Version of @pyramids/signers-planetary-computer, reported in errors; `0.0.0-source` when its sources run unbuilt elsewhere. */
export const VERSION: string =
  typeof __PACKAGE_VERSION__ === 'string' ? __PACKAGE_VERSION__ : '0.0.0-source';
