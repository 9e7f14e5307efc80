import { isAlphanumeric } from './lexical-rules.ts';

/**
 * A host as SIP writes it (RFC 3261 §25.1 `host`): a domain name, an IPv4 address, or an IPv6 address
 * (written in brackets as an IPv6reference, RFC 5118). The address keeps the form it was written in.
 */
export type Host =
  | { readonly kind: 'domain'; readonly name: string }
  | { readonly kind: 'ipv4'; readonly address: string }
  | { readonly kind: 'ipv6'; readonly address: string };

/** True for a dotted-quad IPv4 address with four octets from 0 to 255. */
export function isIpv4Address(text: string): boolean {
  const octets = text.split('.');
  if (octets.length !== 4) return false;
  return octets.every((octet) => /^\d{1,3}$/.test(octet) && Number(octet) <= 255);
}

/**
 * True for an IPv6 address in RFC 4291 §2.2 text form, with an optional trailing IPv4 part.
 * With `isBugTolerated`, also accepts the three-colon form the RFC 3261 ABNF wrongly allowed before an
 * embedded IPv4 address (`2001:db8:::192.0.2.1`), which RFC 5118 §4.10 asks implementations to tolerate.
 */
export function isIpv6Address(text: string, isBugTolerated = false): boolean {
  let address = text;
  if (isBugTolerated) {
    const lastColon = address.lastIndexOf(':');
    const tail = address.slice(lastColon + 1);
    if (isIpv4Address(tail) && address.slice(0, lastColon + 1).endsWith(':::')) {
      address = address.slice(0, lastColon) + address.slice(lastColon + 1);
    }
  }
  let groupsAvailable = 8;
  const lastColon = address.lastIndexOf(':');
  if (lastColon >= 0 && address.slice(lastColon + 1).includes('.')) {
    if (!isIpv4Address(address.slice(lastColon + 1))) return false;
    // The IPv4 part stands for two groups; keep the colon so "::1.2.3.4" still splits correctly.
    address = `${address.slice(0, lastColon + 1)}0`;
    groupsAvailable = 7;
  }
  const halves = address.split('::');
  if (halves.length > 2) return false;
  const isHexGroup = (group: string): boolean => /^[0-9a-fA-F]{1,4}$/.test(group);
  const groupsOf = (half: string): string[] | undefined => {
    if (half === '') return [];
    const groups = half.split(':');
    return groups.every(isHexGroup) ? groups : undefined;
  };
  const head = groupsOf(halves[0] ?? '');
  if (head === undefined) return false;
  if (halves.length === 1) return head.length === groupsAvailable;
  const tail = groupsOf(halves[1] ?? '');
  if (tail === undefined) return false;
  return head.length + tail.length < groupsAvailable;
}

/**
 * True for an RFC 3261 §25.1 `hostname`: dot-separated labels of letters, digits and inner hyphens, the
 * last one starting with a letter (so that `2001` or `1.2.3.999` are not taken for names), with an optional
 * final dot. Underscores are accepted inside labels: some deployments use them and nothing breaks.
 */
export function isHostname(text: string): boolean {
  const name = text.endsWith('.') ? text.slice(0, -1) : text;
  if (name.length === 0 || name.length > 253) return false;
  const labels = name.split('.');
  for (const label of labels) {
    if (label.length === 0 || label.length > 63) return false;
    if (!isAlphanumeric(label.charAt(0)) || !isAlphanumeric(label.charAt(label.length - 1))) return false;
    for (const char of label) if (!isAlphanumeric(char) && char !== '-' && char !== '_') return false;
  }
  const top = labels[labels.length - 1] ?? '';
  return /^[a-zA-Z]/.test(top);
}

/** Parses a host as written in a URI or a Via sent-by: `[IPv6]`, IPv4, or a hostname. */
export function parseHost(text: string): Host | undefined {
  if (text.startsWith('[')) {
    if (!text.endsWith(']')) return undefined;
    const address = text.slice(1, -1);
    return isIpv6Address(address, true) ? { kind: 'ipv6', address } : undefined;
  }
  if (isIpv4Address(text)) return { kind: 'ipv4', address: text };
  if (isHostname(text)) return { kind: 'domain', name: text };
  return undefined;
}

/** Writes a host back: IPv6 addresses get their brackets (RFC 5118 §4.1). */
export function serializeHost(host: Host): string {
  switch (host.kind) {
    case 'domain':
      return host.name;
    case 'ipv4':
      return host.address;
    case 'ipv6':
      return `[${host.address}]`;
  }
}

/** The host as text without IPv6 brackets, as used for socket addresses and SDP. */
export function hostAddress(host: Host): string {
  return host.kind === 'domain' ? host.name : host.address;
}
