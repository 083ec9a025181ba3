/** Version of @pyramids/queue. */
export const VERSION = '0.1.0';
