import { describe, expect, it } from 'vitest';
import type { LocalMediaCapabilities } from './offer-answer.ts';
import { acceptAnswer, answerDirection, answerOffer, createOffer } from './offer-answer.ts';
import { parseSdp } from './parse-sdp.ts';
import { serializeSdp } from './serialize-sdp.ts';
import type { SessionDescription } from './session-description.ts';
import { mediaDirection } from './session-description.ts';

const local: LocalMediaCapabilities = {
  codecs: ['PCMU', 'PCMA'],
  isTelephoneEventSupported: true,
  addressType: 'IP4',
  address: '198.51.100.7',
  rtpPort: 40000,
  origin: { username: 'centralita', sessionId: '42', sessionVersion: '1' },
};

function sdp(lines: string[]): SessionDescription {
  const result = parseSdp(`${lines.join('\r\n')}\r\n`);
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

const phoneOffer = (extra: string[] = [], formats = '9 8 0 101', connection = 'c=IN IP4 192.0.2.10') =>
  sdp([
    'v=0',
    'o=phone 1 1 IN IP4 192.0.2.10',
    's=call',
    connection,
    't=0 0',
    `m=audio 5004 RTP/AVP ${formats}`,
    'a=rtpmap:9 G722/8000',
    'a=rtpmap:8 PCMA/8000',
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:101 telephone-event/8000',
    'a=fmtp:101 0-16',
    'a=ptime:20',
    ...extra,
  ]);

describe('answerOffer (RFC 3264 §6)', () => {
  it('picks the first G.711 codec in the offerer order and keeps its telephone-event payload type', () => {
    const result = answerOffer(phoneOffer(), local);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.audio).toEqual({
      codec: { name: 'PCMA', payloadType: 8, clockRate: 8000 },
      telephoneEvent: { payloadType: 101, events: '0-16' },
      remoteAddress: '192.0.2.10',
      remotePort: 5004,
      direction: 'sendrecv',
      packetTimeMs: 20,
      mediaIndex: 0,
    });
    const answer = serializeSdp(result.value.answer);
    expect(answer).toContain('m=audio 40000 RTP/AVP 8 101\r\n');
    expect(answer).toContain('c=IN IP4 198.51.100.7\r\n');
    expect(answer).toContain('a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\n');
  });

  it('uses a dynamic payload type for G.711 when the offerer maps one', () => {
    const offer = sdp([
      'v=0',
      'o=x 1 1 IN IP4 192.0.2.1',
      's=-',
      'c=IN IP4 192.0.2.1',
      't=0 0',
      'm=audio 6000 RTP/AVP 96 97',
      'a=rtpmap:96 opus/48000/2',
      'a=rtpmap:97 pcmu/8000',
    ]);
    const result = answerOffer(offer, local);
    expect(result.ok && result.value.audio.codec).toEqual({ name: 'PCMU', payloadType: 97, clockRate: 8000 });
  });

  it('mirrors hold: sendonly gets recvonly, inactive gets inactive, recvonly gets sendonly', () => {
    for (const [offered, expected] of [
      ['sendonly', 'recvonly'],
      ['inactive', 'inactive'],
      ['recvonly', 'sendonly'],
      ['sendrecv', 'sendrecv'],
    ] as const) {
      const result = answerOffer(phoneOffer([`a=${offered}`]), local);
      expect(result.ok && result.value.audio.direction, offered).toBe(expected);
      expect(result.ok && mediaDirection(result.value.answer, result.value.answer.media[0]!), offered).toBe(
        expected,
      );
    }
  });

  it('narrows the mirrored direction by ours: holding the caller while they offer sendrecv gives sendonly', () => {
    const holding = answerOffer(phoneOffer(), { ...local, direction: 'sendonly' });
    expect(holding.ok && holding.value.audio.direction).toBe('sendonly');
    expect(answerDirection('sendrecv', 'sendonly')).toBe('sendonly');
    expect(answerDirection('sendonly', 'sendonly')).toBe('inactive');
    expect(answerDirection('recvonly', 'recvonly')).toBe('inactive');
  });

  it('never sends to an RFC 2543 hold address (c=0.0.0.0)', () => {
    const result = answerOffer(phoneOffer([], '0', 'c=IN IP4 0.0.0.0'), local);
    expect(result.ok && result.value.audio.direction).toBe('recvonly');
  });

  it('rejects video and extra audio streams with port 0, keeping the m= line count', () => {
    const offer = sdp([
      'v=0',
      'o=x 1 1 IN IP4 192.0.2.1',
      's=-',
      'c=IN IP4 192.0.2.1',
      't=0 0',
      'm=video 7000 RTP/AVP 31',
      'm=audio 6000 RTP/AVP 0',
      'm=audio 6002 RTP/AVP 8',
      'm=audio 6004 RTP/SAVP 0',
    ]);
    const result = answerOffer(offer, local);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(
      result.value.answer.media.map((media) => [media.media, media.port, media.formats.join(' ')]),
    ).toEqual([
      ['video', 0, '31'],
      ['audio', 40000, '0'],
      ['audio', 0, '8'],
      ['audio', 0, '0'],
    ]);
    expect(result.value.audio.mediaIndex).toBe(1);
  });

  it('refuses an offer with no G.711 (488) and tells which problem it was', () => {
    const offer = sdp([
      'v=0',
      'o=x 1 1 IN IP4 192.0.2.1',
      's=-',
      'c=IN IP4 192.0.2.1',
      't=0 0',
      'm=audio 6000 RTP/AVP 18',
    ]);
    expect(answerOffer(offer, local)).toMatchObject({
      ok: false,
      error: { code: 'SIP_SDP_NO_COMMON_CODEC' },
    });
    const noAddress = sdp(['v=0', 'o=x 1 1 IN IP4 192.0.2.1', 's=-', 't=0 0', 'm=audio 6000 RTP/AVP 0']);
    expect(answerOffer(noAddress, local)).toMatchObject({
      ok: false,
      error: { code: 'SIP_SDP_NO_CONNECTION_ADDRESS' },
    });
  });

  it('leaves telephone-event out when we do not support it or the offer lacks it', () => {
    const without = answerOffer(phoneOffer(), { ...local, isTelephoneEventSupported: false });
    expect(without.ok && without.value.audio.telephoneEvent).toBeUndefined();
    const notOffered = answerOffer(phoneOffer([], '0'), local);
    expect(notOffered.ok && notOffered.value.answer.media[0]?.formats).toEqual(['0']);
  });

  it('takes a media-level IPv6 c= over the session one (RFC 5118 §4.8)', () => {
    const offer = sdp([
      'v=0',
      'o=bob 280744730 28977631 IN IP4 host.example.com',
      's=',
      't=0 0',
      'm=video 6024 RTP/AVP 107',
      'c=IN IP4 192.0.2.1',
      'm=audio 22334 RTP/AVP 0',
      'c=IN IP6 2001:db8::1',
    ]);
    const result = answerOffer(offer, local);
    expect(result.ok && [result.value.audio.remoteAddress, result.value.audio.remotePort]).toEqual([
      '2001:db8::1',
      22334,
    ]);
  });
});

describe('createOffer and acceptAnswer (RFC 3264 §5, §7)', () => {
  it('offers our codecs in our order with telephone-event, and a phone answer negotiates from it', () => {
    const offer = createOffer({ ...local, telephoneEventPayloadType: 101, packetTimeMs: 20 });
    expect(serializeSdp(offer)).toBe(
      [
        'v=0',
        'o=centralita 42 1 IN IP4 198.51.100.7',
        's=-',
        'c=IN IP4 198.51.100.7',
        't=0 0',
        'm=audio 40000 RTP/AVP 0 8 101',
        'a=rtpmap:0 PCMU/8000',
        'a=rtpmap:8 PCMA/8000',
        'a=rtpmap:101 telephone-event/8000',
        'a=fmtp:101 0-16',
        'a=ptime:20',
        'a=sendrecv',
        '',
      ].join('\r\n'),
    );
    const answer = answerOffer(offer, { ...local, codecs: ['PCMA'], address: '192.0.2.99', rtpPort: 7078 });
    expect(answer.ok).toBe(true);
    if (!answer.ok) return;
    const negotiated = acceptAnswer(offer, answer.value.answer);
    expect(negotiated).toMatchObject({
      ok: true,
      value: {
        codec: { name: 'PCMA', payloadType: 8 },
        remoteAddress: '192.0.2.99',
        remotePort: 7078,
        direction: 'sendrecv',
      },
    });
  });

  it('reads a hold answer to our sendonly offer as sendonly', () => {
    const offer = createOffer({ ...local, direction: 'sendonly' });
    const answer = answerOffer(offer, local);
    expect(answer.ok && acceptAnswer(offer, answer.value.answer)).toMatchObject({
      ok: true,
      value: { direction: 'sendonly' },
    });
  });
});
