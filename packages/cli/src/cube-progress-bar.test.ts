import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCubeProgressBar } from './cube-progress-bar.js';

/** A stream that records what is written; `isTTY` as given (cli-progress draws only on terminals). */
function recordingStream(isTTY: boolean): Writable & { isTTY: boolean; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      chunks.push(String(chunk));
      callback();
    },
  }) as Writable & { isTTY: boolean; text: () => string; columns: number };
  stream.isTTY = isTTY;
  stream.columns = 200;
  stream.text = () => chunks.join('');
  return stream;
}

let server: Server;
let url: string;
beforeAll(async () => {
  server = createServer((_request, response) => response.end(Buffer.alloc(1_500_000)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/tile`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function drive(stream: ReturnType<typeof recordingStream>, quiet = false): Promise<void> {
  const bar = createCubeProgressBar(stream, { quiet });
  const response = await bar.countingFetch(url);
  await response.arrayBuffer();
  bar.onProgress({ completed: 1, total: 4 });
  bar.onProgress({ completed: 4, total: 4 });
  bar.stop();
}

describe('createCubeProgressBar', () => {
  it('draws chunks done, MB read (from responses through its fetch) and the ETA on a terminal', async () => {
    const stream = recordingStream(true);
    await drive(stream);
    expect(stream.text()).toMatch(/4\/4 chunks \| 1\.5 MB read \| ETA \d+s/);
  });

  it('prints nothing when the stream is not a terminal, or with quiet', async () => {
    const piped = recordingStream(false);
    await drive(piped);
    expect(piped.text()).toBe('');
    const quiet = recordingStream(true);
    await drive(quiet, true);
    expect(quiet.text()).toBe('');
  });
});
