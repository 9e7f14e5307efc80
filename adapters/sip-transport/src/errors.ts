/**
 * Every error code the SIP transport adapter produces. Send and respond calls return them as values;
 * receive-side codes name why a message or a connection was discarded (they are counted in
 * `SipEndpoint.stats()` and passed to the `onDiscard` hook). The codes of `@centralita/sip` (parse,
 * framing and classifier errors) are counted the same way.
 */
export const sipTransportErrors = {
  // Sending (values returned by sendRequest, sendStateless, respond, cancel).
  SIP_TRANSPORT_NO_ROUTE:
    'No listener or open connection can carry a message to this target (transport or address family missing, a WebSocket peer that is gone, or a WebSocket server that refused us).',
  SIP_TRANSPORT_INVALID_TARGET: 'The target is not an IP address literal with a port from 1 to 65535.',
  SIP_TRANSPORT_UNSENDABLE_REQUEST:
    'The request lacks what a transaction needs (a CSeq whose method matches the request).',
  SIP_TRANSPORT_RESPONSE_NOT_ALLOWED:
    'The server transaction cannot send this response now (a final response was already sent, or it ended).',
  SIP_TRANSPORT_CANCEL_NOT_ALLOWED:
    'Only an INVITE client transaction without a final response can be cancelled (RFC 3261 §9.1).',

  // Answers the endpoint gives by itself (RFC 3261 §8.2.2.2, §9.2, overload).
  SIP_TRANSPORT_LOOP_DETECTED:
    'A request merged with one already in progress (same From tag, Call-ID and CSeq): 482 (RFC 3261 §8.2.2.2).',
  SIP_TRANSPORT_TRANSACTION_NOT_FOUND: 'A CANCEL matched no INVITE server transaction: 481 (RFC 3261 §9.2).',
  SIP_TRANSPORT_OVERLOADED:
    'A new INVITE arrived above the configured calls per second or concurrent calls: 503 with Retry-After.',

  // Receive side: discarded messages and closed connections.
  SIP_TRANSPORT_STRAY_RESPONSE: 'A response matched no client transaction and the core did not take it.',
  SIP_TRANSPORT_RECEIVE_FAILED:
    'Handling a received message threw (a bug); the message was dropped, the process kept running.',
  SIP_TRANSPORT_MESSAGE_TIMEOUT:
    'A stream connection did not complete a message in time (slow-drip sender, RFC 4475 §3.1.2.2): closed.',
  SIP_TRANSPORT_IDLE_TIMEOUT:
    'A stream connection carried nothing for the idle timeout and had no transaction: closed.',
  SIP_TRANSPORT_CONNECTION_LIMIT: 'A new connection arrived while the connection limit was reached: refused.',
  SIP_TRANSPORT_WRITE_BUFFER_FULL: 'A peer stopped reading and its unsent bytes passed the limit: closed.',
  SIP_TRANSPORT_MALFORMED_STUN:
    'A UDP datagram carried the STUN magic cookie but was not a well-formed STUN Binding request (RFC 5389): dropped, never parsed as SIP.',
  SIP_TRANSPORT_WEBSOCKET_PROTOCOL_REQUIRED:
    'A WebSocket upgrade did not offer the "sip" sub-protocol (RFC 7118 §4.1): refused with 400.',
} as const;

/** A stable code of the SIP transport adapter (see `sipTransportErrors`). */
export type SipTransportErrorCode = keyof typeof sipTransportErrors;
