// Faults for the loopback servers of tests: 503s, 429 with Retry-After, latency,
// connections reset mid-body and bodies cut short. Seeded, so a failing run repeats.
// Plugs into RangeServer's `intercept` hook (or any node:http handler).
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The faults a server can be told to inject. */
export type Fault = '503' | '429' | 'reset' | 'truncate' | 'latency';

export interface FaultOptions {
  /** Seed of the fault sequence. */
  seed: number;
  /** Share of requests that get a fault, 0..1. */
  rate: number;
  /** Faults to choose from, evenly. */
  faults?: readonly Fault[];
  /** Retry-After sent with a 429, in seconds (default 0: retry at once). */
  retryAfterSeconds?: number;
  /** Delay of a `latency` fault in ms (default 50); the request is then served normally. */
  latencyMs?: number;
  /** Requests whose URL matches are never faulted (e.g. a landing page). */
  spare?: (request: IncomingMessage) => boolean;
}

/** A fault plan: the intercept to install and what it injected so far. */
export interface FaultInjector {
  /** For RangeServer.intercept: true when it took the request over. */
  intercept: (request: IncomingMessage, response: ServerResponse) => boolean;
  /** How many of each fault were injected. */
  injected: Record<Fault, number>;
}

/** A small seeded PRNG (mulberry32): the same seed, the same faults. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Injects faults into a share of requests. A `reset` or `truncate` answers 200/206 with
 * a Content-Length, sends part of a body of zeros and then resets (RST) or closes (FIN)
 * the connection: a client that accepted such a body would get wrong bytes, which tests see.
 * A `latency` fault returns false after a delay is armed, so the server serves it late.
 */
export function createFaultInjector(options: FaultOptions): FaultInjector {
  const next = random(options.seed);
  const faults = options.faults ?? ['503', '429', 'reset', 'truncate', 'latency'];
  const injected: Record<Fault, number> = { '503': 0, '429': 0, reset: 0, truncate: 0, latency: 0 };
  const intercept = (request: IncomingMessage, response: ServerResponse): boolean => {
    if (options.spare?.(request) || next() >= options.rate) return false;
    const fault = faults[Math.floor(next() * faults.length)]!;
    injected[fault]++;
    switch (fault) {
      case '503':
        response
          .writeHead(503, { 'content-type': 'text/plain' })
          .end('service unavailable (injected)');
        return true;
      case '429':
        response
          .writeHead(429, {
            'retry-after': String(options.retryAfterSeconds ?? 0),
            'content-type': 'text/plain',
          })
          .end('slow down (injected)');
        return true;
      case 'reset':
      case 'truncate': {
        const declared = 4096;
        response.writeHead(request.headers.range ? 206 : 200, {
          'content-length': String(declared),
          'content-type': 'application/octet-stream',
        });
        response.write(new Uint8Array(Math.floor(next() * declared)), () => {
          if (fault === 'reset') request.socket.resetAndDestroy();
          else request.socket.end();
        });
        return true;
      }
      case 'latency': {
        // Hold the response: pause the socket's writes by delaying the server's own handling.
        const write = response.writeHead.bind(response);
        const delay = options.latencyMs ?? 50;
        const started = Date.now();
        response.writeHead = ((...args: Parameters<typeof write>) => {
          const wait = Math.max(0, delay - (Date.now() - started));
          const cork = () => write(...args);
          if (wait === 0) return cork();
          response.socket?.cork();
          setTimeout(() => response.socket?.uncork(), wait);
          return cork();
        }) as typeof response.writeHead;
        return false;
      }
    }
  };
  return { intercept, injected };
}
