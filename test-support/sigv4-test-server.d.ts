import { type IncomingMessage } from 'node:http';
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
/** Verifies the Authorization header of `request`; returns why it fails, or undefined. */
export declare function verifySigV4(request: IncomingMessage, keys: Record<string, string>, region: string, now: number, maxSkew: number): {
    failure?: string;
    accessKeyId?: string;
    signedHeaders: string[];
};
/** Starts the server on 127.0.0.1, port 0. Objects are served path-style with Range support. */
export declare function startSigV4Server(options: SigV4ServerOptions): Promise<SigV4Server>;
//# sourceMappingURL=sigv4-test-server.d.ts.map