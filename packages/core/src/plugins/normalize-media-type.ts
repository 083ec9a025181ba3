// How hrefs and media types are compared when choosing a reader. The formats
// themselves are declared by each reader plugin (its `mediaTypes` and `extensions`).

/** Normalises a media type for matching: lower case, parameters dropped. */
export function normalizeMediaType(mediaType: string): string {
  return mediaType.split(';')[0]!.trim().toLowerCase();
}

/** The extension of an href, lower case with the dot (query, fragment and trailing `/` stripped). */
export function hrefExtension(href: string): string {
  let path = href.split(/[?#]/)[0]!;
  while (path.endsWith('/')) path = path.slice(0, -1);
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? '' : name.slice(dot).toLowerCase();
}
