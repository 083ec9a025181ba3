// `pyramids worker redis://host:6379`: computes queued cube chunks until stopped (Ctrl-C / SIGTERM).
import { OptionError, type Registry, type Signer } from '@pyramids/core';
import type { Command } from 'commander';
import { createDefaultRegistry } from '../default-registry.js';

/** How the worker rebuilds a signer a chunk names, from this machine's environment. */
export interface WorkerCommandHooks {
  resolveSigner?: (
    description: { id: string; options: Record<string, unknown> },
    registry: Registry,
  ) => Signer | undefined | Promise<Signer | undefined>;
}

interface WorkerFlags {
  concurrency?: string;
  queueName?: string;
  lockDuration?: string;
  verbose?: boolean;
}

function positiveInteger(text: string, flag: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    throw new OptionError(`${flag} needs a positive integer; got '${text}'`);
  return value;
}

/** Registers `pyramids worker`. */
export function registerWorkerCommand(program: Command, hooks: WorkerCommandHooks = {}): Command {
  return program
    .command('worker')
    .description(
      'compute cube chunks queued by `pyramids cube --queue` (run any number, on any machines)',
    )
    .argument(
      '<redis-url>',
      'the queue: redis://host:6379 (redis://:password@host:6379/0, rediss:// for TLS)',
    )
    .option('--concurrency <n>', 'chunks computed at once (default 1)')
    .option('--queue-name <name>', 'queue to take chunks from (default pyramids-cube)')
    .option(
      '--lock-duration <ms>',
      "ms before a silent worker's chunk is handed to another (default 30000)",
    )
    .option('--verbose', 'print a line per chunk')
    .action(async (redis: string, flags: WorkerFlags) => {
      const { startCubeWorker, redactRedisUrl } = await import('@pyramids/queue');
      const registry = createDefaultRegistry();
      const worker = await startCubeWorker({
        redis,
        registry,
        ...(hooks.resolveSigner
          ? { resolveSigner: (description) => hooks.resolveSigner!(description, registry) }
          : {}),
        ...(flags.concurrency
          ? { concurrency: positiveInteger(flags.concurrency, '--concurrency') }
          : {}),
        queueName: flags.queueName,
        ...(flags.lockDuration
          ? { lockDuration: positiveInteger(flags.lockDuration, '--lock-duration') }
          : {}),
        onChunk: ({ key, status, message }) => {
          if (status === 'failed')
            process.stderr.write(`pyramids worker: ${key} failed: ${message}\n`);
          else if (message) process.stderr.write(`pyramids worker: warning: ${key}: ${message}\n`);
          else if (flags.verbose) process.stderr.write(`pyramids worker: ${key} ${status}\n`);
        },
      });
      process.stderr.write(
        `pyramids worker: waiting for chunks on ${redactRedisUrl(redis)} (pid ${process.pid}); stop with Ctrl-C\n`,
      );
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      process.stderr.write('pyramids worker: stopping after the chunks in hand\n');
      await worker.close();
    });
}
