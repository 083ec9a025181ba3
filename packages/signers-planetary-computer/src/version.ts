/** Version of @pyramids/signers-planetary-computer, reported in errors. */
export const VERSION = '0.1.0';
