/** Version of @pyramids/signers-earthdata, reported in errors. */
export const VERSION = '0.1.0';
