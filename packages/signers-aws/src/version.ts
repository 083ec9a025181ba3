/** Version of @pyramids/signers-aws, reported in errors. */
export const VERSION = '0.1.0';
