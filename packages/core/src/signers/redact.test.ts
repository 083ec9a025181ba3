import { describe, expect, it } from 'vitest';
import { redactRequestSecrets, withoutSignedQuery } from './redact.js';

describe('redactRequestSecrets', () => {
  it('hides the query values, user-info and credential headers a server quotes back, and nothing else', () => {
    const url = 'https://user:pa55word-secret@acct.blob.core.windows.net/c/a.tif?sv=2024-05-04&sp=rl&sig=abc%2Bdef%3D123456';
    const reply = 'denied: GET /c/a.tif?sv=2024-05-04&sp=rl&sig=abc%2Bdef%3D123456 auth="Bearer tok-0123456789" key=pa55word-secret range=bytes=0-16383';
    const text = redactRequestSecrets(reply, url, { authorization: 'Bearer tok-0123456789', range: 'bytes=0-16383' });
    expect(text).toBe('denied: GET /c/a.tif?sv=***&sp=rl&sig=*** auth="***" key=*** range=bytes=0-16383');
    expect(redactRequestSecrets('token tok-0123456789 alone', 'not a url', { authorization: 'Bearer tok-0123456789' })).toBe('token *** alone');
  });
});

describe('withoutSignedQuery', () => {
  it('drops a signing query (SAS, presigned S3, tokens) and keeps any other', () => {
    expect(withoutSignedQuery('https://a.blob.core.windows.net/c/x.tif?sv=1&sig=abc')).toBe('https://a.blob.core.windows.net/c/x.tif');
    expect(withoutSignedQuery('https://b.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=ff')).toBe('https://b.s3.amazonaws.com/k');
    expect(withoutSignedQuery('https://host/x.tif?token=t#frag')).toBe('https://host/x.tif');
    expect(withoutSignedQuery('https://host/cog?url=x.tif&bidx=1')).toBe('https://host/cog?url=x.tif&bidx=1');
    expect(withoutSignedQuery('/local/x.tif')).toBe('/local/x.tif');
  });
});
