// Replays a vcrpy cassette from a loopback server. Tests reach it through
// `fetch`, an injected fetch that sends a request for the recorded https URL to
// the loopback server instead (the I/O seam), so hrefs keep their real hosts.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse } from 'yaml';

interface Interaction {
  request: { method: string; uri: string };
  response: {
    status: { code: number };
    headers: Record<string, string[]>;
    body: { string: string };
  };
}

/** A running replay: the injected fetch, what was asked, and `close`. */
export interface CassetteServer {
  fetch: typeof fetch;
  requests: {
    method: string;
    url: string;
    headers: Record<string, string | string[] | undefined>;
  }[];
  close(): Promise<void>;
}

/** Serves the cassette's interactions in order of use per (method, URL); an unknown request gets 599. */
export async function startCassetteServer(file: string): Promise<CassetteServer> {
  const interactions = (parse(readFileSync(file, 'utf8')) as { interactions: Interaction[] })
    .interactions;
  const used = new Set<number>();
  const requests: CassetteServer['requests'] = [];
  const server = createServer((request, response) => {
    const url = `https://${request.headers['x-replay-host']}${request.url}`;
    requests.push({ method: request.method ?? 'GET', url, headers: request.headers });
    const index = interactions.findIndex(
      (interaction, position) =>
        !used.has(position) &&
        interaction.request.method === request.method &&
        interaction.request.uri === url,
    );
    const fallback =
      index === -1
        ? interactions.findLastIndex(
            (interaction) =>
              interaction.request.method === request.method && interaction.request.uri === url,
          )
        : index;
    if (fallback === -1) {
      response.writeHead(599).end(`not in cassette: ${request.method} ${url}`);
      return;
    }
    used.add(fallback);
    const recorded = interactions[fallback]!.response;
    const headers: Record<string, string> = {};
    for (const [name, values] of Object.entries(recorded.headers)) {
      if (!/^(content-length|connection|transfer-encoding)$/i.test(name))
        headers[name] = values.join(', ');
    }
    response
      .writeHead(recorded.status.code, headers)
      .end(request.method === 'HEAD' ? undefined : recorded.body.string);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const replayFetch: typeof fetch = async (input, init) => {
    const original = new URL(
      typeof input === 'string' ? input : input instanceof URL ? input.href : input.url,
    );
    const headers = new Headers(init?.headers);
    headers.set('x-replay-host', original.host);
    return fetch(`http://127.0.0.1:${port}${original.pathname}${original.search}`, {
      ...init,
      headers,
    });
  };
  return {
    fetch: replayFetch,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
