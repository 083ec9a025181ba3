import type { GeoTIFFImage } from 'geotiff';

/** The value of one TIFF tag of an image (loaded on demand), or undefined when the image lacks it. */
export async function tagValue<T>(image: GeoTIFFImage, tag: string): Promise<T | undefined> {
  const directory = image.getFileDirectory();
  if (!directory.hasTag(tag as never)) return undefined;
  return (await directory.loadValue(tag as never)) as T;
}
