/** Version of @pyramids/parquet, reported in errors and in the files it writes. */
export const VERSION = '0.1.0';
