import { isIP } from 'node:net';

/**
 * The address as the endpoint compares and writes it: an IPv4-mapped IPv6 address (`::ffff:192.0.2.1`,
 * what a dual-stack socket reports for IPv4 peers) becomes plain IPv4, IPv6 is lower-cased.
 */
export function normalizeAddress(address: string): string {
  if (address.startsWith('::ffff:') && isIP(address.slice(7)) === 4) return address.slice(7);
  return address.includes(':') ? address.toLowerCase() : address;
}

/** 4, 6, or 0 when the text is not an IP address literal (a host name). */
export function addressFamily(address: string): 0 | 4 | 6 {
  const family = isIP(address);
  return family === 4 || family === 6 ? family : 0;
}

/** The host part of a sent-by or URI: IPv6 in brackets (RFC 3261 §19.1.1, RFC 5118). */
export function hostText(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}
