// A loopback S3 look-alike for tests that checks AWS Signature Version 4 on every
// request, written from the AWS specification ("Create a signed AWS API request",
// "Signature Version 4 for Amazon S3: authenticating requests using the
// Authorization header") with node:crypto only, independent of the signing library.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the server judged it. */
export interface VerifiedRequest {
  method: string;
  path: string;
  accessKeyId?: string;
  signedHeaders: string[];
  headers: Record<string, string | string[] | undefined>;
  /** Why the signature was refused; undefined when it verified. */
  failure?: string;
}

/** Options of {@link startSigV4Server}. */
export interface SigV4ServerOptions {
  /** Access key id → secret key. */
  keys: Record<string, string>;
  region: string;
  /** `bucket/key` → object bytes. */
  objects: Record<string, Uint8Array>;
  /** Buckets that refuse requests without `x-amz-request-payer: requester`. */
  requesterPays?: string[];
  /** Largest accepted clock difference in ms (default 15 minutes, as S3). */
  maxSkew?: number;
}

/** A running server: its base URL, what it saw, and `close`. */
export interface SigV4Server {
  url: string;
  host: string;
  requests: VerifiedRequest[];
  close(): Promise<void>;
}

const sha256Hex = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) =>
  createHmac('sha256', key).update(data).digest();

/** RFC 3986 encoding as SigV4 requires: everything but unreserved characters. */
function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function canonicalUri(rawPath: string): string {
  // S3 canonicalises the path once: each segment decoded, then encoded; slashes kept, no normalisation.
  return rawPath
    .split('/')
    .map((segment) => uriEncode(decodeURIComponent(segment)))
    .join('/');
}

function canonicalQuery(rawQuery: string): string {
  if (!rawQuery) return '';
  return rawQuery
    .split('&')
    .filter(Boolean)
    .map((pair) => {
      const [name, value = ''] = pair.split('=');
      const decode = (text: string) => decodeURIComponent(text.replace(/\+/g, '%20'));
      return [uriEncode(decode(name!)), uriEncode(decode(value))] as const;
    })
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

/** Verifies the Authorization header of `request`; returns why it fails, or undefined. */
export function verifySigV4(
  request: IncomingMessage,
  keys: Record<string, string>,
  region: string,
  now: number,
  maxSkew: number,
): { failure?: string; accessKeyId?: string; signedHeaders: string[] } {
  const authorization = request.headers.authorization;
  if (!authorization) return { failure: 'no Authorization header', signedHeaders: [] };
  const match =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(
      authorization,
    );
  if (!match) return { failure: 'malformed Authorization header', signedHeaders: [] };
  const [, accessKeyId, date, scopeRegion, service, signedHeaderList, signature] =
    match as unknown as string[];
  const signedHeaders = signedHeaderList!.split(';');
  const secret = keys[accessKeyId!];
  if (!secret) return { failure: 'InvalidAccessKeyId', accessKeyId, signedHeaders };
  if (scopeRegion !== region || service !== 's3')
    return {
      failure: `AuthorizationHeaderMalformed: scope ${scopeRegion}/${service}`,
      accessKeyId,
      signedHeaders,
    };
  const amzDate = request.headers['x-amz-date'];
  if (typeof amzDate !== 'string' || !amzDate.startsWith(date!))
    return { failure: 'x-amz-date missing or not the credential date', accessKeyId, signedHeaders };
  const time = Date.parse(
    `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
  );
  if (!Number.isFinite(time) || Math.abs(now - time) > maxSkew)
    return { failure: 'RequestTimeTooSkewed', accessKeyId, signedHeaders };
  if (!signedHeaders.includes('host') || !signedHeaders.includes('x-amz-date'))
    return { failure: 'host and x-amz-date must be signed', accessKeyId, signedHeaders };
  const payloadHash = request.headers['x-amz-content-sha256'];
  if (typeof payloadHash !== 'string')
    return { failure: 'x-amz-content-sha256 missing', accessKeyId, signedHeaders };
  for (const name of Object.keys(request.headers)) {
    if (name.startsWith('x-amz-') && !signedHeaders.includes(name))
      return { failure: `${name} is not signed`, accessKeyId, signedHeaders };
  }
  const rawUrl = request.url ?? '/';
  const queryStart = rawUrl.indexOf('?');
  const rawPath = queryStart === -1 ? rawUrl : rawUrl.slice(0, queryStart);
  const rawQuery = queryStart === -1 ? '' : rawUrl.slice(queryStart + 1);
  const canonicalHeaders = signedHeaders
    .map((name) => {
      const value = request.headers[name];
      const text = Array.isArray(value) ? value.join(',') : (value ?? '');
      return `${name}:${text.trim().replace(/\s+/g, ' ')}\n`;
    })
    .join('');
  const canonicalRequest = [
    request.method,
    canonicalUri(rawPath),
    canonicalQuery(rawQuery),
    canonicalHeaders,
    signedHeaderList,
    payloadHash,
  ].join('\n');
  const scope = `${date}/${scopeRegion}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const signingKey = hmac(
    hmac(hmac(hmac(`AWS4${secret}`, date!), scopeRegion!), service!),
    'aws4_request',
  );
  const expected = createHmac('sha256', signingKey).update(stringToSign).digest();
  const given = Buffer.from(signature!, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { failure: 'SignatureDoesNotMatch', accessKeyId, signedHeaders };
  return { accessKeyId, signedHeaders };
}

/** Starts the server on 127.0.0.1, port 0. Objects are served path-style with Range support. */
export async function startSigV4Server(options: SigV4ServerOptions): Promise<SigV4Server> {
  const requests: VerifiedRequest[] = [];
  const maxSkew = options.maxSkew ?? 15 * 60_000;
  const server: Server = createServer((request, response) => {
    const verdict = verifySigV4(request, options.keys, options.region, Date.now(), maxSkew);
    const path = decodeURIComponent((request.url ?? '/').split('?')[0]!.replace(/^\//, ''));
    requests.push({ method: request.method ?? 'GET', path, headers: request.headers, ...verdict });
    const error = (status: number, code: string) => {
      const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${code}</Message></Error>`;
      response.writeHead(status, {
        'content-type': 'application/xml',
        'content-length': Buffer.byteLength(body),
      });
      response.end(request.method === 'HEAD' ? undefined : body);
    };
    if (verdict.failure) return error(403, verdict.failure.split(':')[0]!.replace(/\s.*/, ''));
    const bucket = path.split('/')[0]!;
    if (
      options.requesterPays?.includes(bucket) &&
      request.headers['x-amz-request-payer'] !== 'requester'
    )
      return error(403, 'AccessDenied');
    const object = options.objects[path];
    if (!object) return error(404, 'NoSuchKey');
    const range = /^bytes=(\d+)-(\d*)$/.exec(String(request.headers.range ?? ''));
    const start = range ? Number(range[1]) : 0;
    const end =
      range && range[2] ? Math.min(Number(range[2]), object.length - 1) : object.length - 1;
    const body = object.subarray(start, end + 1);
    response.writeHead(range ? 206 : 200, {
      'content-type': 'image/tiff',
      'content-length': body.length,
      'accept-ranges': 'bytes',
      ...(range ? { 'content-range': `bytes ${start}-${end}/${object.length}` } : {}),
    });
    response.end(request.method === 'HEAD' ? undefined : body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
