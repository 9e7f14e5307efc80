import type { DomainError, Result } from '@centralita/kernel';
import { domainError, err, ok } from '@centralita/kernel';
import type { SipErrorCode } from '../errors.ts';
import type {
  MediaDescription,
  MediaDirection,
  SdpAttribute,
  SdpOrigin,
  SessionDescription,
} from './session-description.ts';
import {
  formatParameters,
  mediaConnection,
  mediaDirection,
  packetTimeMs,
  rtpMap,
} from './session-description.ts';

/** The audio codecs the media engine implements (G.711, RFC 3551 §4.5.14). */
export type AudioCodecName = 'PCMU' | 'PCMA';

/** What this side can do, as the media engine describes it. */
export interface LocalMediaCapabilities {
  /** Codecs we can use; the offerer's order decides among them (RFC 3264 §6.1 lets the answerer follow it). */
  readonly codecs: readonly AudioCodecName[];
  /** Whether we send and receive RFC 4733 telephone-event (DTMF). */
  readonly isTelephoneEventSupported: boolean;
  /** Payload type for telephone-event in our own offers (answers reuse the offerer's). */
  readonly telephoneEventPayloadType?: number;
  /** Where our RTP goes: address and port of the media engine. */
  readonly addressType: 'IP4' | 'IP6';
  readonly address: string;
  readonly rtpPort: number;
  /** The direction we want (sendonly to put the other side on hold); sendrecv by default. */
  readonly direction?: MediaDirection;
  readonly packetTimeMs?: number;
  /** Our o= line; bump `sessionVersion` on every new offer or answer in a dialog (RFC 3264 §8). */
  readonly origin: Pick<SdpOrigin, 'username' | 'sessionId' | 'sessionVersion'>;
}

/** The outcome of a negotiation, handed to the media engine. */
export interface NegotiatedAudio {
  readonly codec: { readonly name: AudioCodecName; readonly payloadType: number; readonly clockRate: number };
  /** RFC 4733 events, with the payload type both sides use, when both support them. */
  readonly telephoneEvent?: { readonly payloadType: number; readonly events: string };
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** What we do: send, receive, both or neither (RFC 3264 §6.1). */
  readonly direction: MediaDirection;
  readonly packetTimeMs?: number;
  /** Index of the audio stream in the m= lines. */
  readonly mediaIndex: number;
}

/** An answer: what the media engine must do, and the SDP to send back. */
export interface OfferAnswer {
  readonly audio: NegotiatedAudio;
  readonly answer: SessionDescription;
}

/** Why no media session could be agreed (answered with 488 Not Acceptable Here, RFC 3261 §21.4.26). */
export type NegotiationError = DomainError<
  Extract<SipErrorCode, 'SIP_SDP_NO_COMMON_CODEC' | 'SIP_SDP_NO_CONNECTION_ADDRESS'>
>;

/**
 * The answerer's direction for an offered one (RFC 3264 §6.1): sendonly becomes recvonly, recvonly becomes
 * sendonly, inactive stays inactive; then narrowed by what we want ourselves.
 */
export function answerDirection(
  offered: MediaDirection,
  wanted: MediaDirection = 'sendrecv',
): MediaDirection {
  const mirrored: Record<MediaDirection, MediaDirection> = {
    sendrecv: 'sendrecv',
    sendonly: 'recvonly',
    recvonly: 'sendonly',
    inactive: 'inactive',
  };
  const answer = mirrored[offered];
  const isSending = answer.startsWith('send') && wanted.startsWith('send');
  const isReceiving =
    (answer === 'sendrecv' || answer === 'recvonly') && (wanted === 'sendrecv' || wanted === 'recvonly');
  if (isSending && isReceiving) return 'sendrecv';
  if (isSending) return 'sendonly';
  if (isReceiving) return 'recvonly';
  return 'inactive';
}

function isUnspecifiedAddress(address: string): boolean {
  return address === '0.0.0.0' || address === '::';
}

function codecAttributes(
  codec: { name: string; payloadType: number },
  events?: { payloadType: number; events: string },
): SdpAttribute[] {
  const attributes: SdpAttribute[] = [{ name: 'rtpmap', value: `${codec.payloadType} ${codec.name}/8000` }];
  if (events !== undefined) {
    attributes.push({ name: 'rtpmap', value: `${events.payloadType} telephone-event/8000` });
    attributes.push({ name: 'fmtp', value: `${events.payloadType} ${events.events}` });
  }
  return attributes;
}

function localOrigin(local: LocalMediaCapabilities): SdpOrigin {
  return { ...local.origin, networkType: 'IN', addressType: local.addressType, address: local.address };
}

function rejected(media: MediaDescription): MediaDescription {
  // RFC 3264 §6: a rejected stream keeps its m= line with port 0 and the offered formats.
  return {
    media: media.media,
    port: 0,
    protocol: media.protocol,
    formats: media.formats,
    attributes: [],
    otherFields: [],
  };
}

/**
 * Answers an SDP offer (RFC 3264 §6). Accepts the first audio stream over RTP/AVP that has a G.711 codec
 * in common, choosing the first such codec in the offerer's order, plus telephone-event at 8000 Hz with
 * the offerer's payload type (RFC 4733 §7.1.1); mirrors the direction (hold: sendonly gives recvonly,
 * inactive gives inactive); rejects every other stream with port 0. An offer whose address is 0.0.0.0
 * (the RFC 2543 way to hold, RFC 3264 §8.4) is never sent to.
 */
export function answerOffer(
  offer: SessionDescription,
  local: LocalMediaCapabilities,
): Result<OfferAnswer, NegotiationError> {
  let audio: NegotiatedAudio | undefined;
  let isAddressMissing = false;
  const answerMedia: MediaDescription[] = [];
  for (const [mediaIndex, media] of offer.media.entries()) {
    const accepted = audio === undefined ? acceptStream(offer, media, mediaIndex, local) : undefined;
    if (accepted === 'no-address') isAddressMissing = true;
    if (accepted === undefined || accepted === 'no-address') {
      answerMedia.push(rejected(media));
      continue;
    }
    audio = accepted.audio;
    answerMedia.push(accepted.media);
  }
  if (audio === undefined) {
    return isAddressMissing
      ? err(domainError('SIP_SDP_NO_CONNECTION_ADDRESS', 'the audio stream has no c= line'))
      : err(domainError('SIP_SDP_NO_COMMON_CODEC', 'no audio stream offers PCMU or PCMA'));
  }
  return ok({
    audio,
    answer: {
      origin: localOrigin(local),
      sessionName: '-',
      connection: { networkType: 'IN', addressType: local.addressType, address: local.address },
      times: ['0 0'],
      attributes: [],
      otherFields: [],
      media: answerMedia,
    },
  });
}

/** The answer to one offered stream, when we can take it. */
function acceptStream(
  offer: SessionDescription,
  media: MediaDescription,
  mediaIndex: number,
  local: LocalMediaCapabilities,
): { audio: NegotiatedAudio; media: MediaDescription } | 'no-address' | undefined {
  if (media.media !== 'audio' || media.port === 0 || media.protocol !== 'RTP/AVP') return undefined;
  const codecFormat = media.formats.find((format) => {
    const map = rtpMap(media, format);
    const name = map?.encodingName.toUpperCase();
    return map?.clockRate === 8000 && local.codecs.some((codec) => codec === name);
  });
  const codecName = local.codecs.find(
    (codec) => codec === rtpMap(media, codecFormat ?? '')?.encodingName.toUpperCase(),
  );
  if (codecFormat === undefined || codecName === undefined) return undefined;
  const connection = mediaConnection(offer, media);
  if (connection === undefined) return 'no-address';
  const eventFormat = local.isTelephoneEventSupported
    ? media.formats.find((format) => {
        const map = rtpMap(media, format);
        return map?.encodingName.toLowerCase() === 'telephone-event' && map.clockRate === 8000;
      })
    : undefined;
  const telephoneEvent =
    eventFormat === undefined
      ? undefined
      : { payloadType: Number(eventFormat), events: formatParameters(media, eventFormat) ?? '0-15' };
  let direction = answerDirection(mediaDirection(offer, media), local.direction);
  if (isUnspecifiedAddress(connection.address)) {
    direction = direction === 'sendrecv' ? 'recvonly' : direction === 'sendonly' ? 'inactive' : direction;
  }
  const offeredPtime = packetTimeMs(media);
  const packetTime = local.packetTimeMs ?? offeredPtime;
  const codec = { name: codecName, payloadType: Number(codecFormat), clockRate: 8000 };
  const audio: NegotiatedAudio = {
    codec,
    ...(telephoneEvent === undefined ? {} : { telephoneEvent }),
    remoteAddress: connection.address,
    remotePort: media.port,
    direction,
    ...(packetTime === undefined ? {} : { packetTimeMs: packetTime }),
    mediaIndex,
  };
  const answered: MediaDescription = {
    media: 'audio',
    port: local.rtpPort,
    protocol: 'RTP/AVP',
    formats: eventFormat === undefined ? [codecFormat] : [codecFormat, eventFormat],
    attributes: [
      ...codecAttributes(codec, telephoneEvent),
      ...(packetTime === undefined ? [] : [{ name: 'ptime', value: String(packetTime) }]),
      { name: direction },
    ],
    otherFields: [],
  };
  return { audio, media: answered };
}

/** Our offer: one audio stream with our codecs in our order, then telephone-event (RFC 3264 §5). */
export function createOffer(local: LocalMediaCapabilities): SessionDescription {
  const staticTypes: Record<AudioCodecName, number> = { PCMU: 0, PCMA: 8 };
  const eventType = local.telephoneEventPayloadType ?? 101;
  const formats = local.codecs.map((codec) => String(staticTypes[codec]));
  const attributes: SdpAttribute[] = local.codecs.map((codec) => ({
    name: 'rtpmap',
    value: `${staticTypes[codec]} ${codec}/8000`,
  }));
  if (local.isTelephoneEventSupported) {
    formats.push(String(eventType));
    attributes.push(
      { name: 'rtpmap', value: `${eventType} telephone-event/8000` },
      { name: 'fmtp', value: `${eventType} 0-16` },
    );
  }
  if (local.packetTimeMs !== undefined) attributes.push({ name: 'ptime', value: String(local.packetTimeMs) });
  attributes.push({ name: local.direction ?? 'sendrecv' });
  return {
    origin: localOrigin(local),
    sessionName: '-',
    connection: { networkType: 'IN', addressType: local.addressType, address: local.address },
    times: ['0 0'],
    attributes: [],
    otherFields: [],
    media: [
      { media: 'audio', port: local.rtpPort, protocol: 'RTP/AVP', formats, attributes, otherFields: [] },
    ],
  };
}

/**
 * Reads the answer to one of our offers (RFC 3264 §7): the first accepted audio stream, the first codec
 * the answerer listed, its telephone-event if any, and our direction (the answer's, mirrored).
 */
export function acceptAnswer(
  offer: SessionDescription,
  answer: SessionDescription,
): Result<NegotiatedAudio, NegotiationError> {
  for (const [mediaIndex, media] of answer.media.entries()) {
    const offered = offer.media[mediaIndex];
    if (offered === undefined || media.media !== 'audio' || media.port === 0) continue;
    const codecFormat = media.formats.find((format) => {
      const name = rtpMap(media, format)?.encodingName.toUpperCase();
      return name === 'PCMU' || name === 'PCMA';
    });
    if (codecFormat === undefined) continue;
    const connection = mediaConnection(answer, media);
    if (connection === undefined)
      return err(domainError('SIP_SDP_NO_CONNECTION_ADDRESS', 'the answer has no c= line'));
    const eventFormat = media.formats.find(
      (format) => rtpMap(media, format)?.encodingName.toLowerCase() === 'telephone-event',
    );
    const packetTime = packetTimeMs(media);
    return ok({
      codec: {
        name: rtpMap(media, codecFormat)?.encodingName.toUpperCase() === 'PCMA' ? 'PCMA' : 'PCMU',
        payloadType: Number(codecFormat),
        clockRate: 8000,
      },
      ...(eventFormat === undefined
        ? {}
        : {
            telephoneEvent: {
              payloadType: Number(eventFormat),
              events: formatParameters(media, eventFormat) ?? '0-15',
            },
          }),
      remoteAddress: connection.address,
      remotePort: media.port,
      direction: answerDirection(mediaDirection(answer, media), mediaDirection(offer, offered)),
      ...(packetTime === undefined ? {} : { packetTimeMs: packetTime }),
      mediaIndex,
    });
  }
  return err(domainError('SIP_SDP_NO_COMMON_CODEC', 'the answer accepts no audio stream with PCMU or PCMA'));
}
