import { describe, expect, it } from 'vitest';
import { answerChallenge } from './answer-challenge.ts';
import {
  parseAuthParams,
  parseDigestChallenge,
  parseDigestCredentials,
  serializeDigestChallenge,
  serializeDigestCredentials,
} from './digest-header.ts';
import type { DigestCredentials } from './digest-header.ts';
import { createNonce, readNonce } from './digest-nonce.ts';
import { computeDigestResponse, digestHa1 } from './digest-response.ts';
import { verifyDigest } from './verify-digest.ts';
import type { DigestVerificationInput } from './verify-digest.ts';

// RFC 7616 §3.9.1: the same request authorised with SHA-256 and with MD5.
const rfc7616 = {
  username: 'Mufasa',
  realm: 'http-auth@example.org',
  password: 'Circle of Life',
  method: 'GET',
  uri: '/dir/index.html',
  nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
  cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
  opaque: 'FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS',
};

describe('digest response computation (RFC 7616 §3.4.1)', () => {
  it('matches the RFC 7616 §3.9.1 vectors for SHA-256 and MD5', () => {
    for (const [algorithm, expected] of [
      ['SHA-256', '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1'],
      ['MD5', '8ca523f5e9506fed4657c9700eebdbec'],
    ] as const) {
      const response = computeDigestResponse({
        algorithm,
        ha1: digestHa1(algorithm, rfc7616.username, rfc7616.realm, rfc7616.password),
        nonce: rfc7616.nonce,
        method: rfc7616.method,
        uri: rfc7616.uri,
        qop: 'auth',
        cnonce: rfc7616.cnonce,
        nonceCount: 1,
      });
      expect(response, algorithm).toBe(expected);
    }
  });

  it('answers a parsed RFC 7616 challenge with the same credentials the RFC shows', () => {
    const challenge = parseDigestChallenge(
      `Digest realm="${rfc7616.realm}", qop="auth, auth-int", algorithm=SHA-256, nonce="${rfc7616.nonce}", opaque="${rfc7616.opaque}"`,
    );
    expect(challenge.ok).toBe(true);
    if (!challenge.ok) return;
    const credentials = answerChallenge(challenge.value, { ...rfc7616, nonceCount: 1 });
    expect(credentials.response).toBe('753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1');
    const header = serializeDigestCredentials(credentials);
    expect(header).toContain('nc=00000001');
    expect(parseDigestCredentials(header)).toEqual({ ok: true, value: credentials });
  });

  it('answers a carrier challenge without qop in the RFC 2069 form', () => {
    const challenge = parseDigestChallenge('Digest realm="trunk", nonce="abc"');
    expect(challenge.ok && challenge.value.algorithm).toBe('MD5');
    if (!challenge.ok) return;
    const credentials = answerChallenge(challenge.value, { ...rfc7616, nonceCount: 1 });
    expect(credentials.qop).toBeUndefined();
    const ha1 = digestHa1('MD5', rfc7616.username, 'trunk', rfc7616.password);
    expect(credentials.response).toBe(
      computeDigestResponse({ algorithm: 'MD5', ha1, nonce: 'abc', method: 'GET', uri: rfc7616.uri }),
    );
  });
});

describe('digest headers', () => {
  it('writes a challenge that parses back, stale flag included', () => {
    const header = serializeDigestChallenge({
      realm: 'centralita',
      nonce: 'n1',
      algorithm: 'SHA-256',
      isStale: true,
      opaque: 'o',
    });
    expect(header).toBe(
      'Digest realm="centralita", nonce="n1", opaque="o", algorithm=SHA-256, qop="auth", stale=true',
    );
    expect(parseDigestChallenge(header)).toEqual({
      ok: true,
      value: {
        realm: 'centralita',
        nonce: 'n1',
        algorithm: 'SHA-256',
        qop: ['auth'],
        opaque: 'o',
        isStale: true,
      },
    });
  });

  it('returns values for other schemes, unknown algorithms and malformed parameters (RFC 4475 §3.3.7)', () => {
    expect(parseAuthParams('NoOneKnowsThisScheme opaque-data=here')?.scheme).toBe('NoOneKnowsThisScheme');
    expect(parseDigestCredentials('NoOneKnowsThisScheme opaque-data=here')).toMatchObject({
      ok: false,
      error: { code: 'SIP_DIGEST_NOT_DIGEST' },
    });
    expect(
      parseDigestCredentials(
        'Digest username="a", realm="r", nonce="n", uri="u", response="x", algorithm=SHA-512',
      ),
    ).toMatchObject({
      ok: false,
      error: { code: 'SIP_DIGEST_UNSUPPORTED_ALGORITHM' },
    });
    for (const bad of [
      'Digest username="a',
      'Digest username',
      'Digest realm="r"',
      'Digest username="a", realm="r", nonce="n", uri="u", response="x", qop=auth',
    ]) {
      expect(parseDigestCredentials(bad), bad).toMatchObject({
        ok: false,
        error: { code: 'SIP_DIGEST_MALFORMED' },
      });
    }
  });
});

describe('signed time-bound nonces', () => {
  const secret = new TextEncoder().encode('server secret');
  const random = Uint8Array.from({ length: 16 }, (_, i) => i * 7);

  it('is deterministic in its inputs and reads back its issue time', () => {
    const nonce = createNonce({ secret, nowMs: 1_700_000_000_000, randomBytes: random });
    expect(createNonce({ secret, nowMs: 1_700_000_000_000, randomBytes: random })).toBe(nonce);
    expect(readNonce(nonce, secret, 1_700_000_030_000, 60_000)).toEqual({
      kind: 'valid',
      issuedAtMs: 1_700_000_000_000,
      ageMs: 30_000,
    });
    expect(readNonce(nonce, secret, 1_700_000_090_000, 60_000)).toMatchObject({
      kind: 'expired',
      ageMs: 90_000,
    });
  });

  it('rejects nonces signed with another secret, altered, truncated, or issued in the future', () => {
    const nonce = createNonce({ secret, nowMs: 1_000_000, randomBytes: random });
    expect(readNonce(nonce, new TextEncoder().encode('other'), 1_000_000, 60_000).kind).toBe('forged');
    const altered = `${nonce.slice(0, 5)}${nonce[5] === 'A' ? 'B' : 'A'}${nonce.slice(6)}`;
    expect(readNonce(altered, secret, 1_000_000, 60_000).kind).toBe('forged');
    expect(readNonce(nonce.slice(0, 10), secret, 1_000_000, 60_000).kind).toBe('forged');
    expect(readNonce('not a nonce!', secret, 1_000_000, 60_000).kind).toBe('forged');
    expect(readNonce(nonce, secret, 990_000, 60_000).kind).toBe('forged');
  });
});

describe('verifyDigest', () => {
  const nonceSecret = new TextEncoder().encode('k');
  const issuedAtMs = 5_000_000;
  const nonce = createNonce({
    secret: nonceSecret,
    nowMs: issuedAtMs,
    randomBytes: new Uint8Array(16).fill(9),
  });

  function credentials(
    password: string,
    nonceCount: number,
    overrides: Partial<DigestCredentials> = {},
  ): DigestCredentials {
    const base = answerChallenge(
      { realm: 'centralita', nonce, algorithm: 'SHA-256', qop: ['auth'], isStale: false },
      {
        username: '1001',
        password,
        method: 'REGISTER',
        uri: 'sip:centralita.example',
        cnonce: 'c',
        nonceCount,
      },
    );
    return { ...base, ...overrides };
  }

  const input = (
    creds: DigestCredentials,
    extra: Partial<DigestVerificationInput> = {},
  ): DigestVerificationInput => ({
    credentials: creds,
    method: 'REGISTER',
    realm: 'centralita',
    secret: { kind: 'password', password: 'secret' },
    nonceSecret,
    nowMs: issuedAtMs + 10_000,
    nonceLifetimeMs: 300_000,
    ...extra,
  });

  it('accepts the right password and returns the nc to remember; accepts a stored HA1 the same way', () => {
    expect(verifyDigest(input(credentials('secret', 1)))).toEqual({ kind: 'ok', nonceCount: 1 });
    const ha1 = digestHa1('SHA-256', '1001', 'centralita', 'secret');
    expect(
      verifyDigest(input(credentials('secret', 3), { secret: { kind: 'ha1', ha1 }, previousNonceCount: 1 })),
    ).toEqual({
      kind: 'ok',
      nonceCount: 3,
    });
  });

  it('detects a replay: nc must increase for each use of a nonce', () => {
    const first = verifyDigest(input(credentials('secret', 1)));
    expect(first.kind).toBe('ok');
    const previous = first.kind === 'ok' ? first.nonceCount : 0;
    expect(verifyDigest(input(credentials('secret', 1), { previousNonceCount: previous }))).toEqual({
      kind: 'replayed',
    });
    expect(verifyDigest(input(credentials('secret', 2), { previousNonceCount: previous })).kind).toBe('ok');
  });

  it('answers stale only when the password was right and the nonce expired', () => {
    const late = { nowMs: issuedAtMs + 301_000 };
    expect(verifyDigest(input(credentials('secret', 1), late))).toEqual({ kind: 'stale' });
    expect(verifyDigest(input(credentials('wrong', 1), late))).toEqual({
      kind: 'invalid',
      reason: 'wrong-response',
    });
  });

  it('refuses a wrong password, a forged nonce, another realm, a request for another method, and no qop', () => {
    expect(verifyDigest(input(credentials('wrong', 1)))).toEqual({
      kind: 'invalid',
      reason: 'wrong-response',
    });
    expect(
      verifyDigest(input(credentials('secret', 1), { nonceSecret: new TextEncoder().encode('x') })),
    ).toEqual({
      kind: 'invalid',
      reason: 'unknown-nonce',
    });
    expect(verifyDigest(input(credentials('secret', 1), { realm: 'other' }))).toEqual({
      kind: 'invalid',
      reason: 'wrong-realm',
    });
    expect(verifyDigest(input(credentials('secret', 1), { method: 'INVITE' }))).toEqual({
      kind: 'invalid',
      reason: 'wrong-response',
    });
    const { qop: _qop, ...withoutQop } = credentials('secret', 1);
    expect(verifyDigest(input(withoutQop))).toEqual({ kind: 'invalid', reason: 'qop-required' });
  });
});
