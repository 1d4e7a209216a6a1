import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { originMatches, parseCookies, serializeCookie } from './requests';

const req = (headers: Record<string, string>) => ({ headers, socket: {} }) as unknown as IncomingMessage;

describe('cookies', () => {
  it('parses the first value of each cookie', () => {
    expect(parseCookies('a=1; cgdash_session=s_x%2By; a=2')).toEqual({ a: '1', cgdash_session: 's_x+y' });
    expect(parseCookies(undefined)).toEqual({});
  });
  it('serialises a strict, http-only session cookie', () => {
    expect(serializeCookie('s', 'v', { httpOnly: true, sameSite: 'Strict', path: '/', secure: false, maxAgeSec: 60 })).toBe(
      's=v; Path=/; Max-Age=60; SameSite=Strict; HttpOnly',
    );
  });
});

describe('originMatches', () => {
  it('accepts only the host the browser used', () => {
    expect(originMatches(req({ origin: 'http://127.0.0.1:3000', host: '127.0.0.1:3000' }))).toBe(true);
    expect(originMatches(req({ origin: 'http://evil.example', host: '127.0.0.1:3000' }))).toBe(false);
    expect(originMatches(req({ origin: 'http://127.0.0.1:3001', host: '127.0.0.1:3000' }))).toBe(false);
    expect(originMatches(req({ host: '127.0.0.1:3000' }))).toBe(false);
    expect(originMatches(req({ origin: 'null', host: '127.0.0.1:3000' }))).toBe(false);
  });
});
