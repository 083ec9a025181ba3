import { IncompatiblePluginError } from '../errors/incompatible-plugin-error.js';
import { UnsupportedAssetError } from '../errors/unsupported-asset-error.js';
import { redactHref } from '../signers/redact.js';
import type { Signer } from '../signers/signer.js';
import { PLUGIN_API_VERSION } from '../version.js';
import { hrefExtension, normalizeMediaType } from './normalize-media-type.js';
import type {
  CodecPlugin,
  FusePlugin,
  Plugin,
  ReaderPlugin,
  WriterPlugin,
} from './plugin-types.js';

/** What a reader is chosen from. */
export interface ReaderQuery {
  href: string;
  mediaType?: string;
  /** Reads the first bytes of the file for a sniff; only called when type and extension fail. */
  readHead?: () => Promise<Uint8Array>;
}

/** The chosen reader and why it was chosen. */
export interface ReaderChoice {
  reader: ReaderPlugin;
  matchedBy: 'media type' | 'extension' | 'content';
}

/** A set of plugins. An instance, never a global: build one per application or test. */
export interface Registry {
  /** Adds a plugin; checks its contract version. Returns the registry for chaining. */
  use(plugin: Plugin): Registry;
  readonly readers: readonly ReaderPlugin[];
  readonly signers: readonly Signer[];
  readonly codecs: readonly CodecPlugin[];
  readonly writers: readonly WriterPlugin[];
  readonly fuses: readonly FusePlugin[];
  /** The signer with this id, if registered. */
  getSigner(id: string): Signer | undefined;
  /** The fuse function registered under this id (`method: id`), if any. */
  getFuse(id: string): FusePlugin | undefined;
  /** The first registered signer whose `matches(url)` is true: the one that signs `url` when no signer is passed. */
  signerFor(url: string): Signer | undefined;
  /** The codec serving a file extension (`.parquet`), if registered. */
  codecFor(href: string): CodecPlugin | undefined;
  /**
   * The writer for an output: by `format` when given (a writer's id or one of its
   * formats), else by the target's extension; any other directory target (`out/`)
   * goes to the last writer that writes directories. Undefined when none matches.
   */
  writerFor(target: string, format?: string): WriterPlugin | undefined;
  /** Chooses a reader without opening the file when the media type or extension decides. */
  selectReader(query: ReaderQuery): Promise<ReaderChoice>;
  /** Chooses a reader from media type or extension only (no I/O); undefined when neither decides. */
  selectReaderSync(query: Omit<ReaderQuery, 'readHead'>): ReaderChoice | undefined;
}

const KINDS = new Set(['reader', 'signer', 'writer', 'codec', 'fuse']);

function checkPlugin(plugin: Plugin): void {
  const candidate = plugin as Partial<Plugin> | null;
  if (
    !candidate ||
    typeof candidate !== 'object' ||
    !KINDS.has(candidate.kind as string) ||
    typeof candidate.id !== 'string'
  ) {
    throw new IncompatiblePluginError(
      'not a pyramids plugin: expected an object with kind (reader | signer | writer | codec | fuse), id and apiVersion',
    );
  }
  if (candidate.apiVersion !== PLUGIN_API_VERSION) {
    throw new IncompatiblePluginError(
      `plugin '${candidate.id}' was built for plugin API ${JSON.stringify(candidate.apiVersion)}, ` +
        `but this @pyramids/core speaks ${PLUGIN_API_VERSION}; install a version of the plugin made for this core`,
      {
        plugin: candidate.id,
        details: { expected: PLUGIN_API_VERSION, actual: candidate.apiVersion },
      },
    );
  }
}

/** Last registered first, so that on a tie the one registered last wins. */
function latestFirst<T>(list: readonly T[]): T[] {
  return [...list].reverse();
}

/** Creates an empty plugin registry: `createRegistry().use(geotiffReader())`. */
export function createRegistry(plugins: Plugin[] = []): Registry {
  const readers: ReaderPlugin[] = [];
  const signers: Signer[] = [];
  const codecs: CodecPlugin[] = [];
  const writers: WriterPlugin[] = [];
  const fuses: FusePlugin[] = [];

  const byMediaType = (mediaType: string | undefined) => {
    if (!mediaType) return undefined;
    const normalized = normalizeMediaType(mediaType);
    return latestFirst(readers).find((reader) =>
      reader.mediaTypes.some((served) => normalized.startsWith(normalizeMediaType(served))),
    );
  };
  const byExtension = (href: string) => {
    const extension = hrefExtension(href);
    if (!extension) return undefined;
    return latestFirst(readers).find((reader) => reader.extensions.includes(extension));
  };

  const registry: Registry = {
    use(plugin) {
      checkPlugin(plugin);
      switch (plugin.kind) {
        case 'reader':
          readers.push(plugin);
          break;
        case 'signer':
          signers.push(plugin);
          break;
        case 'codec':
          codecs.push(plugin);
          break;
        case 'writer':
          writers.push(plugin);
          break;
        case 'fuse':
          fuses.push(plugin);
          break;
      }
      return registry;
    },
    readers,
    signers,
    codecs,
    writers,
    fuses,
    getFuse: (id) => latestFirst(fuses).find((fuse) => fuse.id === id),
    getSigner: (id) => latestFirst(signers).find((signer) => signer.id === id),
    signerFor: (url) => signers.find((signer) => signer.matches(url)),
    codecFor: (href) => {
      const extension = hrefExtension(href);
      return latestFirst(codecs).find((codec) => codec.extensions.includes(extension));
    },
    writerFor(target, format) {
      const candidates = latestFirst(writers);
      if (format !== undefined) {
        const wanted = format.toLowerCase();
        return candidates.find(
          (writer) => writer.id === wanted || (writer.formats ?? []).includes(wanted),
        );
      }
      const extension = hrefExtension(target.replace(/\\/g, '/'));
      const byExtension = extension
        ? candidates.find((writer) => writer.extensions.includes(extension))
        : undefined;
      if (byExtension || !/[\\/]$/.test(target)) return byExtension;
      return candidates.find((writer) => writer.writesDirectories);
    },
    selectReaderSync({ href, mediaType }) {
      const byType = byMediaType(mediaType);
      if (byType) return { reader: byType, matchedBy: 'media type' };
      const byExt = byExtension(href);
      if (byExt) return { reader: byExt, matchedBy: 'extension' };
      return undefined;
    },
    async selectReader(query) {
      const decided = registry.selectReaderSync(query);
      if (decided) return decided;
      const tried = [
        `media type ${query.mediaType ? JSON.stringify(query.mediaType) : '(none)'}`,
        `extension ${JSON.stringify(hrefExtension(query.href) || '(none)')}`,
      ];
      const sniffers = latestFirst(readers).filter((reader) => reader.sniff);
      if (query.readHead && sniffers.length > 0) {
        let head: Uint8Array | undefined;
        try {
          head = await query.readHead();
        } catch (error) {
          tried.push(`content sniff (could not read the first bytes: ${(error as Error).message})`);
        }
        if (head) {
          const sniffed = sniffers.find((reader) => reader.sniff!(head!));
          if (sniffed) return { reader: sniffed, matchedBy: 'content' };
          tried.push(`content sniff by ${sniffers.map((reader) => reader.id).join(', ')}`);
        }
      }
      throw unsupported(query.href, query.mediaType, readers, tried);
    },
  };
  for (const plugin of plugins) registry.use(plugin);
  return registry;
}

function unsupported(
  href: string,
  mediaType: string | undefined,
  readers: readonly ReaderPlugin[],
  tried: string[],
) {
  // What each registered reader declares it serves: the formats live in the reader packages, not here.
  const registered = readers.length
    ? readers
        .map(
          (reader) => `${reader.id} (${[...reader.extensions, ...reader.mediaTypes].join(', ')})`,
        )
        .join('; ')
    : 'none';
  return new UnsupportedAssetError(
    `no registered reader can open ${redactHref(href)} (tried ${tried.join(', ')}; registered readers: ${registered}); ` +
      'register a reader plugin that serves this format with registry.use(...), e.g. gdalReader() of @pyramids/readers-gdal for formats GDAL reads',
    {
      details: {
        href: redactHref(href),
        mediaType,
        tried,
        readers: readers.map((reader) => reader.id),
      },
    },
  );
}
