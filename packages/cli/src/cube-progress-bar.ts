import cliProgress from 'cli-progress';

/** What the cube command reports progress through. */
export interface CubeProgressBar {
  /** Chunk progress, as `cube.write`'s `onProgress` gives it. */
  onProgress(progress: { completed: number; total: number }): void;
  /** A `fetch` that counts the bytes of every response (by Content-Length) toward "MB read". */
  countingFetch: typeof fetch;
  /** Clears the bar. */
  stop(): void;
}

/**
 * A progress bar on `stream` — chunks done, MB read, ETA — shown only when the
 * stream is a terminal and `quiet` is not set; otherwise it prints nothing and only
 * counts. The bar starts with the first completed chunk, so a quick failure leaves
 * no half-drawn bar.
 */
export function createCubeProgressBar(
  stream: NodeJS.WritableStream & { isTTY?: boolean },
  options: { quiet?: boolean; fetch?: typeof fetch } = {},
): CubeProgressBar {
  const shown = stream.isTTY === true && options.quiet !== true;
  const bar = shown
    ? new cliProgress.SingleBar(
        {
          format:
            'cube [{bar}] {percentage}% | {value}/{total} chunks | {megabytes} MB read | ETA {eta_formatted}',
          stream,
          etaBuffer: 20,
          hideCursor: false,
        },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  let bytes = 0;
  let started = false;
  const megabytes = () => (bytes / 1e6).toFixed(1);
  const baseFetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  return {
    onProgress({ completed, total }) {
      if (!bar) return;
      if (!started) {
        bar.start(total, 0, { megabytes: megabytes() });
        started = true;
      }
      bar.update(completed, { megabytes: megabytes() });
    },
    countingFetch: async (input, init) => {
      const response = await baseFetch(input, init);
      const length = Number(response.headers.get('content-length'));
      if (Number.isFinite(length) && length > 0) bytes += length;
      return response;
    },
    stop() {
      if (started) bar?.stop();
      started = false;
    },
  };
}
