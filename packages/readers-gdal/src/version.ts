/** Version of @pyramids/readers-gdal, reported in errors. */
export const VERSION = '0.1.0';
