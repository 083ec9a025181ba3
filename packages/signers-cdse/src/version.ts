/** Version of @pyramids/signers-cdse, reported in errors. */
export const VERSION = '0.1.0';
