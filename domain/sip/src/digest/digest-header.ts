import type { DomainError, Result } from '@centralita/kernel';
import { domainError, err, ok } from '@centralita/kernel';
import type { SipErrorCode } from '../errors.ts';
import {
  isToken,
  quoteString,
  scanQuotedString,
  scanToken,
  splitTopLevel,
  trimWhiteSpace,
} from '../message/lexical-rules.ts';

/** Digest algorithms of RFC 7616 §6.1 that SIP uses (RFC 8760 §2 adds SHA-256 to SIP). */
export type DigestAlgorithm = 'MD5' | 'MD5-sess' | 'SHA-256' | 'SHA-256-sess';

/** Why an Authorization or WWW-Authenticate value could not be used. */
export type DigestHeaderError = DomainError<
  Extract<SipErrorCode, 'SIP_DIGEST_MALFORMED' | 'SIP_DIGEST_NOT_DIGEST' | 'SIP_DIGEST_UNSUPPORTED_ALGORITHM'>
>;

/** A WWW-Authenticate or Proxy-Authenticate challenge (RFC 7616 §3.3). */
export interface DigestChallenge {
  readonly realm: string;
  readonly nonce: string;
  readonly algorithm: DigestAlgorithm;
  /** qop options offered; `auth` is the one SIP uses (auth-int is not supported here). */
  readonly qop: readonly string[];
  readonly opaque?: string;
  /** True when the previous credentials were right but their nonce had expired (RFC 7616 §3.3). */
  readonly isStale: boolean;
}

/** An Authorization or Proxy-Authorization credential (RFC 7616 §3.4). */
export interface DigestCredentials {
  readonly username: string;
  readonly realm: string;
  readonly nonce: string;
  readonly uri: string;
  /** Lower-case hex digest. */
  readonly response: string;
  readonly algorithm: DigestAlgorithm;
  readonly qop?: string;
  readonly cnonce?: string;
  /** The nonce count, 8 hex digits on the wire, as a number. */
  readonly nonceCount?: number;
  readonly opaque?: string;
}

const algorithms: readonly DigestAlgorithm[] = ['MD5', 'MD5-sess', 'SHA-256', 'SHA-256-sess'];

/** The scheme and auth-params of any Authorization-like value (RFC 3261 §25.1 credentials / challenge). */
export interface AuthParams {
  readonly scheme: string;
  /** Parameter names lower-cased; quoted values unquoted. */
  readonly params: ReadonlyMap<string, string>;
}

/**
 * Splits `scheme auth-param *(COMMA auth-param)` into the scheme and its parameters. Any scheme parses,
 * so an unknown one (RFC 4475 §3.3.7) is a value the caller can ignore, not a failure.
 */
export function parseAuthParams(value: string): AuthParams | undefined {
  const text = trimWhiteSpace(value);
  const schemeEnd = scanToken(text, 0);
  if (schemeEnd === 0) return undefined;
  const scheme = text.slice(0, schemeEnd);
  const rest = trimWhiteSpace(text.slice(schemeEnd));
  const params = new Map<string, string>();
  if (rest === '') return { scheme, params };
  const parts = splitTopLevel(rest, ',');
  if (parts === undefined) return undefined;
  for (const part of parts) {
    const equals = part.indexOf('=');
    if (equals <= 0) return undefined;
    const name = trimWhiteSpace(part.slice(0, equals)).toLowerCase();
    const raw = trimWhiteSpace(part.slice(equals + 1));
    if (!isToken(name) || raw === '') return undefined;
    if (raw.startsWith('"')) {
      const quoted = scanQuotedString(raw, 0);
      if (quoted?.end !== raw.length) return undefined;
      params.set(name, quoted.content);
    } else {
      if (!/^[^\s",;]+$/.test(raw)) return undefined;
      params.set(name, raw);
    }
  }
  return { scheme, params };
}

function readAlgorithm(params: ReadonlyMap<string, string>): DigestAlgorithm | undefined {
  const value = params.get('algorithm') ?? 'MD5';
  return algorithms.find((algorithm) => algorithm.toLowerCase() === value.toLowerCase());
}

function fail(
  code: DigestHeaderError['code'],
  message: string,
): { readonly ok: false; readonly error: DigestHeaderError } {
  return err(domainError(code, message));
}

/** Reads a WWW-Authenticate / Proxy-Authenticate value sent by a server we call (trunk registration, outbound). */
export function parseDigestChallenge(value: string): Result<DigestChallenge, DigestHeaderError> {
  const parsed = parseAuthParams(value);
  if (parsed === undefined) return fail('SIP_DIGEST_MALFORMED', 'unreadable challenge');
  if (parsed.scheme.toLowerCase() !== 'digest')
    return fail('SIP_DIGEST_NOT_DIGEST', 'not a Digest challenge');
  const realm = parsed.params.get('realm');
  const nonce = parsed.params.get('nonce');
  if (realm === undefined || nonce === undefined)
    return fail('SIP_DIGEST_MALFORMED', 'challenge lacks realm or nonce');
  const algorithm = readAlgorithm(parsed.params);
  if (algorithm === undefined)
    return fail('SIP_DIGEST_UNSUPPORTED_ALGORITHM', 'unsupported digest algorithm');
  const opaque = parsed.params.get('opaque');
  return ok({
    realm,
    nonce,
    algorithm,
    qop: (parsed.params.get('qop') ?? '')
      .split(',')
      .map(trimWhiteSpace)
      .filter((qop) => qop !== ''),
    ...(opaque === undefined ? {} : { opaque }),
    isStale: parsed.params.get('stale')?.toLowerCase() === 'true',
  });
}

/**
 * Reads an Authorization / Proxy-Authorization value. Another scheme gives SIP_DIGEST_NOT_DIGEST: the
 * registrar then challenges as if no credentials had been sent (RFC 4475 §3.3.7).
 */
export function parseDigestCredentials(value: string): Result<DigestCredentials, DigestHeaderError> {
  const parsed = parseAuthParams(value);
  if (parsed === undefined) return fail('SIP_DIGEST_MALFORMED', 'unreadable credentials');
  if (parsed.scheme.toLowerCase() !== 'digest')
    return fail('SIP_DIGEST_NOT_DIGEST', 'not Digest credentials');
  const get = (name: string) => parsed.params.get(name);
  const username = get('username');
  const realm = get('realm');
  const nonce = get('nonce');
  const uri = get('uri');
  const response = get('response');
  if (
    username === undefined ||
    realm === undefined ||
    nonce === undefined ||
    uri === undefined ||
    response === undefined
  ) {
    return fail('SIP_DIGEST_MALFORMED', 'credentials lack username, realm, nonce, uri or response');
  }
  const algorithm = readAlgorithm(parsed.params);
  if (algorithm === undefined)
    return fail('SIP_DIGEST_UNSUPPORTED_ALGORITHM', 'unsupported digest algorithm');
  const qop = get('qop');
  const cnonce = get('cnonce');
  const nc = get('nc');
  const opaque = get('opaque');
  if (nc !== undefined && !/^[0-9a-fA-F]{8}$/.test(nc))
    return fail('SIP_DIGEST_MALFORMED', 'nc is not 8 hex digits');
  if (qop !== undefined && (cnonce === undefined || nc === undefined)) {
    return fail('SIP_DIGEST_MALFORMED', 'qop requires cnonce and nc (RFC 7616 §3.4)');
  }
  return ok({
    username,
    realm,
    nonce,
    uri,
    response: response.toLowerCase(),
    algorithm,
    ...(qop === undefined ? {} : { qop }),
    ...(cnonce === undefined ? {} : { cnonce }),
    ...(nc === undefined ? {} : { nonceCount: parseInt(nc, 16) }),
    ...(opaque === undefined ? {} : { opaque }),
  });
}

/** Writes a challenge value for WWW-Authenticate or Proxy-Authenticate; qop is always `auth`. */
export function serializeDigestChallenge(challenge: Omit<DigestChallenge, 'qop'>): string {
  const parts = [
    `realm=${quoteString(challenge.realm)}`,
    `nonce=${quoteString(challenge.nonce)}`,
    ...(challenge.opaque === undefined ? [] : [`opaque=${quoteString(challenge.opaque)}`]),
    `algorithm=${challenge.algorithm}`,
    'qop="auth"',
    ...(challenge.isStale ? ['stale=true'] : []),
  ];
  return `Digest ${parts.join(', ')}`;
}

/** Writes a credentials value for Authorization or Proxy-Authorization. */
export function serializeDigestCredentials(credentials: DigestCredentials): string {
  const parts = [
    `username=${quoteString(credentials.username)}`,
    `realm=${quoteString(credentials.realm)}`,
    `nonce=${quoteString(credentials.nonce)}`,
    `uri=${quoteString(credentials.uri)}`,
    `response=${quoteString(credentials.response)}`,
    `algorithm=${credentials.algorithm}`,
    ...(credentials.cnonce === undefined ? [] : [`cnonce=${quoteString(credentials.cnonce)}`]),
    ...(credentials.opaque === undefined ? [] : [`opaque=${quoteString(credentials.opaque)}`]),
    ...(credentials.qop === undefined ? [] : [`qop=${credentials.qop}`]),
    ...(credentials.nonceCount === undefined
      ? []
      : [`nc=${credentials.nonceCount.toString(16).padStart(8, '0')}`]),
  ];
  return `Digest ${parts.join(', ')}`;
}
