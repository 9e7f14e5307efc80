import type { DigestCredentials } from './digest-header.ts';
import { readNonce } from './digest-nonce.ts';
import { computeDigestResponse, digestHa1, isSameDigest } from './digest-response.ts';

/** The user's secret as the credential store holds it: the password, or HA1 for the credentials' algorithm. */
export type DigestSecret =
  { readonly kind: 'password'; readonly password: string } | { readonly kind: 'ha1'; readonly ha1: string };

/** Everything a verification needs; the nonce-count state comes in and goes out as a value. */
export interface DigestVerificationInput {
  readonly credentials: DigestCredentials;
  /** The method of the request carrying the credentials (REGISTER, INVITE...). */
  readonly method: string;
  /** The realm we challenge for; credentials for another realm are invalid. */
  readonly realm: string;
  readonly secret: DigestSecret;
  readonly nonceSecret: Uint8Array;
  readonly nowMs: number;
  readonly nonceLifetimeMs: number;
  /** Highest nc accepted so far for this nonce, if any (kept by the caller, keyed by nonce). */
  readonly previousNonceCount?: number;
}

/** The outcome of a verification (RFC 7616 §3.3, §3.4). */
export type DigestVerification =
  /** Right credentials: record `nonceCount` as the highest seen for this nonce. */
  | { readonly kind: 'ok'; readonly nonceCount: number }
  /** Right credentials on an expired nonce: challenge again with stale=true, the phone retries silently. */
  | { readonly kind: 'stale' }
  /** nc did not increase: a replay of captured credentials (RFC 7616 §3.4 and §5.9). */
  | { readonly kind: 'replayed' }
  /** Wrong password, unknown nonce, wrong realm, or qop other than auth: challenge afresh. */
  | {
      readonly kind: 'invalid';
      readonly reason: 'wrong-response' | 'unknown-nonce' | 'wrong-realm' | 'qop-required';
    };

/**
 * Verifies Digest credentials against a signed nonce. The order matters: a forged nonce or a wrong
 * response is `invalid` (never stale: stale=true tells the client its password was right); only then is
 * age checked (`stale`) and the nonce count (`replayed`). qop=auth is required so that nc protects
 * against replay. Unknown users should be verified against a dummy secret by the caller so that the
 * answer and its timing do not reveal which users exist.
 */
export function verifyDigest(input: DigestVerificationInput): DigestVerification {
  const { credentials } = input;
  if (credentials.realm !== input.realm) return { kind: 'invalid', reason: 'wrong-realm' };
  if (
    credentials.qop !== 'auth' ||
    credentials.nonceCount === undefined ||
    credentials.cnonce === undefined
  ) {
    return { kind: 'invalid', reason: 'qop-required' };
  }
  const nonce = readNonce(credentials.nonce, input.nonceSecret, input.nowMs, input.nonceLifetimeMs);
  const ha1 =
    input.secret.kind === 'ha1'
      ? input.secret.ha1
      : digestHa1(credentials.algorithm, credentials.username, credentials.realm, input.secret.password);
  const expected = computeDigestResponse({
    algorithm: credentials.algorithm,
    ha1,
    nonce: credentials.nonce,
    method: input.method,
    uri: credentials.uri,
    qop: credentials.qop,
    cnonce: credentials.cnonce,
    nonceCount: credentials.nonceCount,
  });
  const isRightResponse = isSameDigest(expected, credentials.response);
  if (nonce.kind === 'forged') return { kind: 'invalid', reason: 'unknown-nonce' };
  if (!isRightResponse) return { kind: 'invalid', reason: 'wrong-response' };
  if (nonce.kind === 'expired') return { kind: 'stale' };
  if (input.previousNonceCount !== undefined && credentials.nonceCount <= input.previousNonceCount) {
    return { kind: 'replayed' };
  }
  return { kind: 'ok', nonceCount: credentials.nonceCount };
}
