/** A `c=` field (RFC 4566 §5.7): the address media goes to. TTL and address counts are dropped. */
export interface ConnectionData {
  readonly networkType: string;
  /** IP4 or IP6 (RFC 4566 §5.7; RFC 5118 §4.6 for IPv6). */
  readonly addressType: string;
  readonly address: string;
}

/** An `a=` field (RFC 4566 §5.13): a property (`a=sendonly`) or a value attribute (`a=rtpmap:0 PCMU/8000`). */
export interface SdpAttribute {
  readonly name: string;
  readonly value?: string;
}

/** Any other field (i=, u=, e=, p=, b=, r=, z=, k=), kept as written so it passes through. */
export interface SdpField {
  readonly type: string;
  readonly value: string;
}

/** The `o=` field (RFC 4566 §5.2). Ids are strings: they may exceed 2**53. */
export interface SdpOrigin {
  readonly username: string;
  readonly sessionId: string;
  readonly sessionVersion: string;
  readonly networkType: string;
  readonly addressType: string;
  readonly address: string;
}

/** One `m=` section (RFC 4566 §5.14) with its fields. */
export interface MediaDescription {
  readonly media: string;
  /** 0 marks a rejected or disabled stream (RFC 3264 §6). */
  readonly port: number;
  readonly portCount?: number;
  readonly protocol: string;
  /** Payload type numbers for RTP profiles, in preference order. */
  readonly formats: readonly string[];
  readonly connection?: ConnectionData;
  readonly attributes: readonly SdpAttribute[];
  readonly otherFields: readonly SdpField[];
}

/** A session description (RFC 4566 §5). */
export interface SessionDescription {
  readonly origin: SdpOrigin;
  readonly sessionName: string;
  readonly connection?: ConnectionData;
  /** `t=` fields as written (`0 0` for an unbounded session). */
  readonly times: readonly string[];
  readonly attributes: readonly SdpAttribute[];
  readonly otherFields: readonly SdpField[];
  readonly media: readonly MediaDescription[];
}

/** Media direction attributes (RFC 4566 §6, RFC 3264 §5.1); sendrecv when none is given. */
export type MediaDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

const directions: readonly MediaDirection[] = ['sendrecv', 'sendonly', 'recvonly', 'inactive'];

/** The direction of a stream: its own attribute, else the session's, else sendrecv (RFC 4566 §6). */
export function mediaDirection(session: SessionDescription, media: MediaDescription): MediaDirection {
  const find = (attributes: readonly SdpAttribute[]) =>
    directions.find((direction) => attributes.some((attribute) => attribute.name === direction));
  return find(media.attributes) ?? find(session.attributes) ?? 'sendrecv';
}

/** The connection address of a stream: its own `c=`, else the session's (RFC 4566 §5.7). */
export function mediaConnection(
  session: SessionDescription,
  media: MediaDescription,
): ConnectionData | undefined {
  return media.connection ?? session.connection;
}

/** An `a=rtpmap` entry (RFC 4566 §6): encoding name, clock rate and channels of a payload type. */
export interface RtpMap {
  readonly payloadType: string;
  readonly encodingName: string;
  readonly clockRate: number;
  readonly channels?: number;
}

/** Static payload types of RFC 3551 §6 that matter here (used when no rtpmap is given). */
const staticPayloadTypes: Readonly<Record<string, RtpMap>> = {
  '0': { payloadType: '0', encodingName: 'PCMU', clockRate: 8000 },
  '8': { payloadType: '8', encodingName: 'PCMA', clockRate: 8000 },
  '9': { payloadType: '9', encodingName: 'G722', clockRate: 8000 },
  '18': { payloadType: '18', encodingName: 'G729', clockRate: 8000 },
};

/** The rtpmap of a payload type: the stream's `a=rtpmap`, else the RFC 3551 static assignment. */
export function rtpMap(media: MediaDescription, payloadType: string): RtpMap | undefined {
  for (const attribute of media.attributes) {
    if (attribute.name !== 'rtpmap' || attribute.value === undefined) continue;
    const match = /^(\d+)\s+([^/\s]+)\/(\d+)(?:\/(\d+))?$/.exec(attribute.value.trim());
    if (match?.[1] !== payloadType) continue;
    return {
      payloadType,
      encodingName: match[2] ?? '',
      clockRate: Number(match[3]),
      ...(match[4] === undefined ? {} : { channels: Number(match[4]) }),
    };
  }
  return staticPayloadTypes[payloadType];
}

/** The `a=fmtp` parameters of a payload type (RFC 4566 §6), e.g. `0-16` for telephone-event. */
export function formatParameters(media: MediaDescription, payloadType: string): string | undefined {
  for (const attribute of media.attributes) {
    if (attribute.name !== 'fmtp' || attribute.value === undefined) continue;
    const space = attribute.value.indexOf(' ');
    if (space > 0 && attribute.value.slice(0, space) === payloadType)
      return attribute.value.slice(space + 1).trim();
  }
  return undefined;
}

/** The `a=ptime` of a stream in milliseconds (RFC 4566 §6), if given. */
export function packetTimeMs(media: MediaDescription): number | undefined {
  const value = media.attributes.find((attribute) => attribute.name === 'ptime')?.value;
  const ms = value === undefined ? Number.NaN : Number(value);
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}
