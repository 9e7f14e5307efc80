import { createHash, timingSafeEqual } from 'node:crypto';
import type { DigestAlgorithm } from './digest-header.ts';

/** H() of RFC 7616 §3.4.1: lower-case hex MD5 or SHA-256 of UTF-8 text. A pure computation. */
export function digestHash(algorithm: DigestAlgorithm, text: string): string {
  return createHash(algorithm.startsWith('SHA-256') ? 'sha256' : 'md5')
    .update(text, 'utf8')
    .digest('hex');
}

/** H(username:realm:password): what a registrar may store instead of the password (RFC 7616 §3.4.2). */
export function digestHa1(
  algorithm: DigestAlgorithm,
  username: string,
  realm: string,
  password: string,
): string {
  return digestHash(algorithm, `${username}:${realm}:${password}`);
}

/** The inputs of a response computation (RFC 7616 §3.4.1). */
export interface DigestResponseInput {
  readonly algorithm: DigestAlgorithm;
  /** H(username:realm:password), from `digestHa1` or a credential store. */
  readonly ha1: string;
  readonly nonce: string;
  readonly method: string;
  readonly uri: string;
  /** `auth`, or undefined for the RFC 2069 form some carriers still use. */
  readonly qop?: string;
  readonly cnonce?: string;
  readonly nonceCount?: number;
}

/**
 * The `response` value of RFC 7616 §3.4.1 for qop=auth (and without qop, RFC 2069 style). The -sess
 * algorithms hash the nonce and cnonce into HA1 (§3.4.2).
 */
export function computeDigestResponse(input: DigestResponseInput): string {
  const h = (text: string) => digestHash(input.algorithm, text);
  const cnonce = input.cnonce ?? '';
  const ha1 = input.algorithm.endsWith('-sess') ? h(`${input.ha1}:${input.nonce}:${cnonce}`) : input.ha1;
  const ha2 = h(`${input.method}:${input.uri}`);
  if (input.qop === undefined) return h(`${ha1}:${input.nonce}:${ha2}`);
  const nc = (input.nonceCount ?? 1).toString(16).padStart(8, '0');
  return h(`${ha1}:${input.nonce}:${nc}:${cnonce}:${input.qop}:${ha2}`);
}

/** Compares two hex digests in constant time, so response checks leak nothing through timing. */
export function isSameDigest(a: string, b: string): boolean {
  const left = Buffer.from(a.toLowerCase(), 'utf8');
  const right = Buffer.from(b.toLowerCase(), 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}
