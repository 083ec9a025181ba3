import { OptionError, type Registry, type Signer } from '@pyramids/core';
import {
  downloadItems,
  type DownloadOptions,
  type DownloadProgress,
  type OverwriteMode,
} from '@pyramids/core/node';
import { signerFromOptions } from '../signer-option.js';
import type { Command } from 'commander';
import { createDefaultRegistry } from '../default-registry.js';
import { loadItems } from '../load-items.js';

/** Options of `pyramids download`, as commander parses them. */
export interface DownloadCommandOptions {
  dir: string;
  include?: string[];
  exclude?: string[];
  concurrency?: string;
  overwrite?: string;
  fileName?: string;
  writeItem?: boolean;
  verify?: boolean;
  progress?: boolean;
}

function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

/** Sums per-file progress into totals for one bar. */
function createTally(): { update(event: DownloadProgress): { bytes: number; total: number } } {
  const files = new Map<string, { bytes: number; total: number }>();
  return {
    update(event) {
      const key = `${event.item}\u0000${event.key}`;
      files.set(key, { bytes: event.bytes, total: Math.max(event.total ?? 0, event.bytes) });
      let bytes = 0;
      let total = 0;
      for (const file of files.values()) {
        bytes += file.bytes;
        total += file.total;
      }
      return { bytes, total };
    },
  };
}

/** A progress reporter: a bar with bytes, rate and ETA on a terminal, one line per file otherwise. */
async function createReporter(
  stderr: NodeJS.WriteStream | NodeJS.WritableStream,
  enabled: boolean,
): Promise<{ progress: (event: DownloadProgress) => void; stop(): void }> {
  const tally = createTally();
  if (!enabled || !(stderr as NodeJS.WriteStream).isTTY) {
    return {
      progress: (event) => {
        if (event.type === 'done')
          stderr.write(
            `downloaded ${event.item}/${event.key} → ${event.path} (${formatBytes(event.bytes)})\n`,
          );
        if (event.type === 'skip')
          stderr.write(`kept ${event.item}/${event.key}: ${event.path} exists\n`);
      },
      stop: () => {},
    };
  }
  const { default: cliProgress } = await import('cli-progress');
  const bar = new cliProgress.SingleBar(
    {
      stream: stderr,
      hideCursor: true,
      format:
        '{bar} {percentage}% | {done}/{size} | {rate} | ETA {eta_formatted} | {files} file(s)',
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  const started = Date.now();
  let finished = 0;
  bar.start(1, 0, { done: '0 B', size: '?', rate: '–', files: 0 });
  return {
    progress: (event) => {
      if (event.type === 'done' || event.type === 'skip') finished++;
      const { bytes, total } = tally.update(event);
      const seconds = Math.max(0.001, (Date.now() - started) / 1000);
      bar.setTotal(Math.max(1, total));
      bar.update(bytes, {
        done: formatBytes(bytes),
        size: formatBytes(total),
        rate: `${formatBytes(bytes / seconds)}/s`,
        files: finished,
      });
    },
    stop: () => bar.stop(),
  };
}

/**
 * Runs `pyramids download`: downloads the assets of the Items in ITEMS to `--dir`,
 * writes each Item's JSON beside its files (hrefs relative to it) unless
 * `--no-write-item`, and prints the rewritten Items' paths.
 */
export async function runDownloadCommand(
  source: string,
  options: DownloadCommandOptions,
  context: {
    registry?: Registry;
    signer?: Signer;
    stderr?: NodeJS.WritableStream;
    signal?: AbortSignal;
    fetch?: typeof fetch;
  } = {},
): Promise<void> {
  const stderr = context.stderr ?? process.stderr;
  const concurrency = options.concurrency === undefined ? undefined : Number(options.concurrency);
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1)) {
    throw new OptionError(`--concurrency must be a positive integer; got ${options.concurrency}`);
  }
  if (
    options.overwrite !== undefined &&
    !['never', 'always', 'if-changed'].includes(options.overwrite)
  ) {
    throw new OptionError(
      `--overwrite must be never, always or if-changed; got ${options.overwrite}`,
    );
  }
  const { items, baseHref } = await loadItems(source, context.registry ?? createDefaultRegistry());
  const reporter = await createReporter(stderr, options.progress !== false);
  const downloadOptions: DownloadOptions = {
    baseHref,
    progress: reporter.progress,
    writeItem: options.writeItem !== false,
    include: options.include,
    exclude: options.exclude,
    concurrency,
    overwrite: options.overwrite as OverwriteMode | undefined,
    fileName: options.fileName,
    ...(options.verify === false ? { verify: false } : {}),
    signer: context.signer,
    signal: context.signal,
    fetch: context.fetch,
  };
  try {
    await downloadItems(items, options.dir, downloadOptions);
  } finally {
    reporter.stop();
  }
  stderr.write(`pyramids: downloaded the assets of ${items.length} item(s) to ${options.dir}\n`);
}

const collect = (value: string, previous: string[] = []) => [
  ...previous,
  ...value.split(',').filter((part) => part !== ''),
];

/** `pyramids download ITEMS --dir D …`: fetches the assets of Items to local files. */
export function registerDownloadCommand(program: Command): Command {
  return program
    .command('download')
    .description(
      'download the assets of STAC Items to local files (verified, restartable) and write the Items with local hrefs',
    )
    .argument(
      '<items>',
      'Items file (JSON, NDJSON, or a codec format such as .parquet), or - for stdin',
    )
    .requiredOption('--dir <directory>', 'directory to write to')
    .option(
      '--include <key...>',
      'only assets with these keys or roles (repeatable, comma-separated)',
      collect,
    )
    .option(
      '--exclude <key...>',
      'skip assets with these keys or roles (repeatable, comma-separated)',
      collect,
    )
    .option('--concurrency <n>', 'files downloaded at once (default 4)')
    .option('--overwrite <mode>', 'never (default), always, or if-changed (by size/ETag)')
    .option(
      '--file-name <template>',
      'path template under --dir (default {id}/{key}{ext}; also {collection}, {name})',
    )
    .option('--no-write-item', 'do not write the Item JSON files')
    .option('--no-verify', 'do not check file:size and file:checksum')
    .option('--no-progress', 'no progress bar')
    .action(async (source: string, options: DownloadCommandOptions & { signer?: string }) => {
      const signer = signerFromOptions(options);
      await runDownloadCommand(source, options, signer ? { signer } : {});
    });
}
