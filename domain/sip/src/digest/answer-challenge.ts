import type { DigestChallenge, DigestCredentials } from './digest-header.ts';
import { computeDigestResponse, digestHa1 } from './digest-response.ts';

/** What a UAC needs to answer a challenge; cnonce comes from the caller's random source. */
export interface ChallengeAnswerInput {
  readonly username: string;
  readonly password: string;
  readonly method: string;
  /** The Request-URI of the request being authorised, as written (RFC 3261 §22.4). */
  readonly uri: string;
  readonly cnonce: string;
  /** 1 for the first use of this nonce, then increasing (RFC 7616 §3.4). */
  readonly nonceCount: number;
}

/**
 * Credentials answering a challenge from a trunk or upstream server (RFC 7616 §3.4, RFC 3261 §22.2):
 * qop=auth when offered, the RFC 2069 form when the server offers no qop.
 */
export function answerChallenge(challenge: DigestChallenge, input: ChallengeAnswerInput): DigestCredentials {
  const qop = challenge.qop.includes('auth') ? 'auth' : undefined;
  const ha1 = digestHa1(challenge.algorithm, input.username, challenge.realm, input.password);
  const response = computeDigestResponse({
    algorithm: challenge.algorithm,
    ha1,
    nonce: challenge.nonce,
    method: input.method,
    uri: input.uri,
    ...(qop === undefined ? {} : { qop, cnonce: input.cnonce, nonceCount: input.nonceCount }),
  });
  return {
    username: input.username,
    realm: challenge.realm,
    nonce: challenge.nonce,
    uri: input.uri,
    response,
    algorithm: challenge.algorithm,
    ...(qop === undefined ? {} : { qop, cnonce: input.cnonce, nonceCount: input.nonceCount }),
    ...(challenge.opaque === undefined ? {} : { opaque: challenge.opaque }),
  };
}
