import type { ConnectionData, SdpAttribute, SdpField, SessionDescription } from './session-description.ts';

function connectionLine(connection: ConnectionData): string {
  return `c=${connection.networkType} ${connection.addressType} ${connection.address}\r\n`;
}

function attributeLines(attributes: readonly SdpAttribute[]): string {
  return attributes
    .map((a) => (a.value === undefined ? `a=${a.name}\r\n` : `a=${a.name}:${a.value}\r\n`))
    .join('');
}

function fieldLines(fields: readonly SdpField[], types: string): string {
  return fields
    .filter((field) => types.includes(field.type))
    .map((field) => `${field.type}=${field.value}\r\n`)
    .join('');
}

/**
 * Writes a session description with CRLF line ends, fields in the order RFC 4566 §5 requires
 * (v o s i u e p c b t r z k a, then per stream m i c b k a).
 */
export function serializeSdp(session: SessionDescription): string {
  const o = session.origin;
  let text = 'v=0\r\n';
  text += `o=${o.username} ${o.sessionId} ${o.sessionVersion} ${o.networkType} ${o.addressType} ${o.address}\r\n`;
  text += `s=${session.sessionName}\r\n`;
  text += fieldLines(session.otherFields, 'iuep');
  if (session.connection !== undefined) text += connectionLine(session.connection);
  text += fieldLines(session.otherFields, 'b');
  for (const time of session.times) text += `t=${time}\r\n`;
  text += fieldLines(session.otherFields, 'rzk');
  // Unknown field types go last at session level rather than being lost.
  text += session.otherFields
    .filter((field) => !'iuepbrzk'.includes(field.type))
    .map((field) => `${field.type}=${field.value}\r\n`)
    .join('');
  text += attributeLines(session.attributes);
  for (const media of session.media) {
    const port = media.portCount === undefined ? `${media.port}` : `${media.port}/${media.portCount}`;
    text += `m=${media.media} ${port} ${media.protocol}${media.formats.map((format) => ` ${format}`).join('')}\r\n`;
    text += fieldLines(media.otherFields, 'i');
    if (media.connection !== undefined) text += connectionLine(media.connection);
    text += fieldLines(media.otherFields, 'b');
    text += media.otherFields
      .filter((field) => !'ib'.includes(field.type))
      .map((field) => `${field.type}=${field.value}\r\n`)
      .join('');
    text += attributeLines(media.attributes);
  }
  return text;
}
