import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a server nonce needs, all given from outside: the domain reads no clock and draws no randomness. */
export interface NonceInput {
  /** The server's secret key (rotate it to invalidate every outstanding nonce). */
  readonly secret: Uint8Array;
  /** Issue time, milliseconds since the epoch, from the Clock port. */
  readonly nowMs: number;
  /** At least 16 fresh random bytes from the runtime's secure source. */
  readonly randomBytes: Uint8Array;
}

const timestampBytes = 8;
const macBytes = 16;

function mac(secret: Uint8Array, payload: Uint8Array): Buffer {
  return createHmac('sha256', secret).update(payload).digest().subarray(0, macBytes);
}

/**
 * A signed, time-bound nonce (RFC 7616 §3.3 leaves the format to the server): base64url of
 * issue time (8 bytes, big-endian ms) + random bytes + HMAC-SHA-256(secret, time + random) cut to 16
 * bytes. The server keeps no table of issued nonces: the signature proves it issued the nonce and the
 * time says how old it is.
 */
export function createNonce(input: NonceInput): string {
  const payload = Buffer.alloc(timestampBytes + input.randomBytes.length);
  payload.writeBigUInt64BE(BigInt(Math.max(0, Math.floor(input.nowMs))), 0);
  payload.set(input.randomBytes, timestampBytes);
  return Buffer.concat([payload, mac(input.secret, payload)]).toString('base64url');
}

/** What a nonce says about itself once its signature is checked. */
export type NonceReading =
  | { readonly kind: 'valid'; readonly issuedAtMs: number; readonly ageMs: number }
  | { readonly kind: 'expired'; readonly issuedAtMs: number; readonly ageMs: number }
  | { readonly kind: 'forged' };

/**
 * Checks a nonce's signature and age. `expired` means we issued it but more than `lifetimeMs` ago (the
 * caller answers stale=true when the response was otherwise right). A nonce from the future (beyond a
 * second of skew) or with a bad signature is `forged`.
 */
export function readNonce(
  nonce: string,
  secret: Uint8Array,
  nowMs: number,
  lifetimeMs: number,
): NonceReading {
  if (!/^[A-Za-z0-9_-]+$/.test(nonce)) return { kind: 'forged' };
  const bytes = Buffer.from(nonce, 'base64url');
  if (bytes.length < timestampBytes + 1 + macBytes) return { kind: 'forged' };
  const payload = bytes.subarray(0, bytes.length - macBytes);
  const signature = bytes.subarray(bytes.length - macBytes);
  if (!timingSafeEqual(signature, mac(secret, payload))) return { kind: 'forged' };
  const issuedAtMs = Number(payload.readBigUInt64BE(0));
  const ageMs = nowMs - issuedAtMs;
  if (ageMs < -1000) return { kind: 'forged' };
  return ageMs > lifetimeMs ? { kind: 'expired', issuedAtMs, ageMs } : { kind: 'valid', issuedAtMs, ageMs };
}
