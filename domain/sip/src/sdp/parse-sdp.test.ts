import { describe, expect, it } from 'vitest';
import { parseSdp } from './parse-sdp.ts';
import { serializeSdp } from './serialize-sdp.ts';
import {
  formatParameters,
  mediaConnection,
  mediaDirection,
  packetTimeMs,
  rtpMap,
} from './session-description.ts';

const offer = [
  'v=0',
  'o=alice 2890844526 2890844526 IN IP4 host.atlanta.example.com',
  's=-',
  'i=A call',
  'c=IN IP4 192.0.2.101',
  'b=AS:64',
  't=0 0',
  'a=sendonly',
  'm=audio 49170 RTP/AVP 0 8 97 101',
  'a=rtpmap:97 iLBC/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-15',
  'a=ptime:30',
  'm=video 51372 RTP/AVP 31 32',
  'c=IN IP6 2001:db8::5',
  'a=rtpmap:31 H261/90000',
  'a=inactive',
  '',
].join('\r\n');

describe('parseSdp (RFC 4566)', () => {
  it('reads sessions with several streams, codecs and attributes', () => {
    const result = parseSdp(new TextEncoder().encode(offer));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const session = result.value;
    const [audio, video] = session.media;
    expect(session.origin.sessionId).toBe('2890844526');
    expect(audio?.formats).toEqual(['0', '8', '97', '101']);
    expect(rtpMap(audio!, '0')).toEqual({ payloadType: '0', encodingName: 'PCMU', clockRate: 8000 });
    expect(rtpMap(audio!, '97')).toEqual({ payloadType: '97', encodingName: 'iLBC', clockRate: 8000 });
    expect(formatParameters(audio!, '101')).toBe('0-15');
    expect(packetTimeMs(audio!)).toBe(30);
    expect(mediaDirection(session, audio!)).toBe('sendonly');
    expect(mediaDirection(session, video!)).toBe('inactive');
    expect(mediaConnection(session, audio!)?.address).toBe('192.0.2.101');
    expect(mediaConnection(session, video!)).toEqual({
      networkType: 'IN',
      addressType: 'IP6',
      address: '2001:db8::5',
    });
  });

  it('writes back what it read, fields in RFC 4566 order', () => {
    const result = parseSdp(offer);
    expect(result.ok && serializeSdp(result.value)).toBe(offer);
  });

  it('accepts bare LF line ends, an empty s= and a missing t=; drops a multicast TTL from c=', () => {
    const result = parseSdp(
      'v=0\no=- 1 1 IN IP4 192.0.2.1\ns=\nc=IN IP4 233.252.0.1/127\nm=audio 5000 RTP/AVP 0\n',
    );
    expect(
      result.ok && [result.value.sessionName, result.value.times, result.value.connection?.address],
    ).toEqual(['', ['0 0'], '233.252.0.1']);
  });

  it('reads a hold attribute even with trailing white space on the line', () => {
    const result = parseSdp(
      'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nm=audio 5000 RTP/AVP 0 \r\na=sendonly \r\n',
    );
    expect(result.ok && mediaDirection(result.value, result.value.media[0]!)).toBe('sendonly');
  });

  it('refuses bodies that are not SDP, with a value and no exception', () => {
    for (const body of [
      '',
      'hello',
      'v=1\r\no=- 1 1 IN IP4 a\r\n',
      'v=0\r\ns=-\r\n',
      'v=0\r\no=- 1 1 IN IP4 a\r\nm =video 1 RTP/AVP 31\r\n',
      'v=0\r\no=- 1 1 IN IP4 a\r\nm=audio 70000 RTP/AVP 0\r\n',
    ]) {
      expect(parseSdp(body), body).toMatchObject({ ok: false, error: { code: 'SIP_SDP_MALFORMED' } });
    }
  });
});
