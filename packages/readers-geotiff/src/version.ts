/** Version of @pyramids/readers-geotiff, reported in errors. */
export const VERSION = '0.1.0';
