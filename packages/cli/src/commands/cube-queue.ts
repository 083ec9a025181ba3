// `pyramids cube … --queue redis://host:6379 -o DIR|s3://bucket/cube.zarr`: plan here,
// compute on the workers (`pyramids worker`), follow their progress.
import { OptionError, type DatasetCollection } from '@pyramids/core';
import cliProgress from 'cli-progress';

/** Flags of `pyramids cube` that a queued run reads. */
export interface CubeQueueFlags {
  queue: string;
  output?: string;
  errorsAsNodata?: boolean;
  queueName?: string;
}

const megabytes = (bytes: number) => (bytes / 1e6).toFixed(1);

/** Runs `cube` on the queue and prints a one-line summary; a progress bar on a terminal. */
export async function runCubeCommandOnQueue(
  cube: DatasetCollection,
  flags: CubeQueueFlags,
): Promise<void> {
  if (!flags.output)
    throw new OptionError(
      '--queue needs -o: a Zarr store every worker can reach (a shared directory, or s3://bucket/path/cube.zarr)',
    );
  // Loaded only for queued cubes: BullMQ and the AWS SDK stay out of every other command's start-up.
  const { runCubeOnQueue } = await import('@pyramids/queue');
  const bar = process.stderr.isTTY
    ? new cliProgress.SingleBar(
        {
          format:
            'cube [{bar}] {value}/{total} chunks | {running} running | {failed} failed | {mb} MB read | ETA {eta_formatted}',
          stream: process.stderr,
        },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  let started = false;
  try {
    const result = await runCubeOnQueue(cube, {
      redis: flags.queue,
      store: flags.output,
      queueName: flags.queueName || undefined,
      errorsAsNodata: flags.errorsAsNodata === true,
      onProgress: (progress) => {
        if (!bar) return;
        const payload = {
          running: progress.running,
          failed: progress.failed,
          mb: megabytes(progress.bytesRead),
        };
        if (!started) {
          bar.start(progress.total, progress.skipped + progress.done, payload);
          started = true;
        }
        bar.update(progress.skipped + progress.done + progress.failed, payload);
      },
    });
    if (started) bar?.stop();
    started = false;
    const [times, bands, height, width] = cube.shape;
    process.stderr.write(
      `wrote ${flags.output} (Zarr v3): ${times} time step(s) × ${bands} band(s), ${width} × ${height} px; ` +
        `${result.written} chunk(s) written by the workers, ${result.skipped} already there` +
        `${result.failed.length ? `, ${result.failed.length} failed and written as nodata` : ''}; ${megabytes(result.bytesRead)} MB read\n`,
    );
  } finally {
    if (started) bar?.stop();
  }
}
