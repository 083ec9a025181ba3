import { describe, expect, it } from 'vitest';
import {
  escapeControlCharacters,
  quoteServerText,
  redactHref,
  redactRequestSecrets,
  redactSecretLooking,
  redactSecrets,
  withoutSignedQuery,
} from './redact.js';

describe('redactRequestSecrets', () => {
  it('hides the query values, user-info and credential headers a server quotes back, and nothing else', () => {
    const url =
      'https://user:pa55word-secret@acct.blob.core.windows.net/c/a.tif?sv=2024-05-04&sp=rl&sig=abc%2Bdef%3D123456';
    const reply =
      'denied: GET /c/a.tif?sv=2024-05-04&sp=rl&sig=abc%2Bdef%3D123456 auth="Bearer tok-0123456789" key=pa55word-secret range=bytes=0-16383';
    const text = redactRequestSecrets(reply, url, {
      authorization: 'Bearer tok-0123456789',
      range: 'bytes=0-16383',
    });
    expect(text).toBe(
      'denied: GET /c/a.tif?sv=***&sp=rl&sig=*** auth="***" key=*** range=bytes=0-16383',
    );
    expect(
      redactRequestSecrets('token tok-0123456789 alone', 'not a url', {
        authorization: 'Bearer tok-0123456789',
      }),
    ).toBe('token *** alone');
  });
});

describe('withoutSignedQuery', () => {
  it('drops a signing query (SAS, presigned S3, tokens) and keeps any other', () => {
    expect(withoutSignedQuery('https://a.blob.core.windows.net/c/x.tif?sv=1&sig=abc')).toBe(
      'https://a.blob.core.windows.net/c/x.tif',
    );
    expect(
      withoutSignedQuery(
        'https://b.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=ff',
      ),
    ).toBe('https://b.s3.amazonaws.com/k');
    expect(withoutSignedQuery('https://host/x.tif?token=t#frag')).toBe('https://host/x.tif');
    expect(withoutSignedQuery('https://host/cog?url=x.tif&bidx=1')).toBe(
      'https://host/cog?url=x.tif&bidx=1',
    );
    expect(withoutSignedQuery('/local/x.tif')).toBe('/local/x.tif');
  });
});

describe('quoteServerText: redact first, then cut', () => {
  const secrets = [
    'Bearer tok-SECRET-0123456789',
    'sig=SASSECRET0123456789',
    'X-Amz-Signature=AMZSECRET0123456789',
    'token=TOKSECRET0123456789',
    'key=KEYSECRET0123456789',
  ];
  it.each(secrets)('never leaks any part of %s, wherever the cut falls', (secret) => {
    const value = secret.split(/[ =]/)[1]!;
    for (let position = 0; position <= 320; position += 1) {
      const text = `${'x'.repeat(position)} ${secret} and more text after it`;
      const quoted = quoteServerText(text, 300);
      // Not even a prefix of the secret value survives (its first 6 characters are enough to tell).
      expect(quoted, `at position ${position}`).not.toContain(value.slice(0, 6));
    }
  });

  it('hides JSON-quoted Authorization headers and user-info, and keeps plain words', () => {
    const text =
      '{"headers": {"Authorization": "Bearer abcdef123456", "Accept": "text/html"}, "url": "https://bob:pw12345@h/x"} the key is fine';
    expect(quoteServerText(text)).toBe(
      '{"headers": {"Authorization": "Bearer ***", "Accept": "text/html"}, "url": "https://***@h/x"} the key is fine',
    );
  });

  it('uses the caller redaction before cutting, so a known secret straddling the cut is gone', () => {
    const secret = 'plain-secret-value-1234567890';
    const text = `${'a'.repeat(290)} ${secret}`;
    expect(quoteServerText(text, 300)).toContain(secret.slice(0, 9));
    expect(quoteServerText(text, 300, (value) => redactSecrets(value, [secret]))).not.toContain(
      secret.slice(0, 4),
    );
  });
});

describe('escapeControlCharacters and redactHref', () => {
  it('keeps a printed line one line whatever an href holds', () => {
    expect(escapeControlCharacters('a\nHost: evil\r\n\u001b[31m\u0000')).toBe(
      'a\\nHost: evil\\r\\n\\u001b[31m\\u0000',
    );
    expect(redactHref('https://h/x.tif\nHost: evil?sig=abc')).toBe(
      'https://h/x.tif\\nHost: evil?<redacted>',
    );
  });

  it('redacts secret-looking values in free text', () => {
    expect(
      redactSecretLooking(
        'GET /a?X-Amz-Signature=ff00&X-Amz-Credential=AKIA/x access_token: abc.def',
      ),
    ).toBe('GET /a?X-Amz-Signature=***&X-Amz-Credential=*** access_token: ***');
  });
});
