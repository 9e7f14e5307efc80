/**
 * Compact header names (RFC 3261 §7.3.3 and §20, plus the extensions that registered one with IANA).
 * Header names compare case-insensitively, and a compact name is the same header as its long form.
 */
const compactForms: ReadonlyMap<string, string> = new Map(
  Object.entries({
    a: 'accept-contact', // RFC 3841
    b: 'referred-by', // RFC 3892
    c: 'content-type',
    d: 'request-disposition', // RFC 3841
    e: 'content-encoding',
    f: 'from',
    i: 'call-id',
    j: 'reject-contact', // RFC 3841
    k: 'supported',
    l: 'content-length',
    m: 'contact',
    n: 'identity-info', // RFC 4474
    o: 'event', // RFC 6665
    r: 'refer-to', // RFC 3515
    s: 'subject',
    t: 'to',
    u: 'allow-events', // RFC 6665
    v: 'via',
    x: 'session-expires', // RFC 4028
    y: 'identity', // RFC 8224
  }),
);

/** Keys of names already seen, as written (`Via`, `v`, `CSeq`…); bounded, as names come from the network. */
const keysByName = new Map<string, string>();
const MAX_REMEMBERED_NAMES = 256;

/** The key a header is looked up by: its long name in lower case (`V`, `via` and `VIA` all give `via`). */
export function headerKey(name: string): string {
  // Every message repeats the same few names, each spelled one way or two: most are found as written.
  const known = keysByName.get(name);
  if (known !== undefined) return known;
  const lower = name.toLowerCase();
  // A Map, not an object: a header named `constructor` or `__proto__` is just a name.
  const key = compactForms.get(lower) ?? lower;
  if (keysByName.size < MAX_REMEMBERED_NAMES) keysByName.set(name, key);
  return key;
}

const displayNames: ReadonlyMap<string, string> = new Map(
  Object.entries({
    via: 'Via',
    from: 'From',
    to: 'To',
    'call-id': 'Call-ID',
    cseq: 'CSeq',
    'max-forwards': 'Max-Forwards',
    contact: 'Contact',
    'content-length': 'Content-Length',
    'content-type': 'Content-Type',
    route: 'Route',
    'record-route': 'Record-Route',
    require: 'Require',
    'proxy-require': 'Proxy-Require',
    supported: 'Supported',
    unsupported: 'Unsupported',
    allow: 'Allow',
    accept: 'Accept',
    expires: 'Expires',
  }),
);

/** The conventional spelling of a known header (for reason phrases we write); the key itself otherwise. */
export function headerDisplayName(key: string): string {
  return displayNames.get(key) ?? key;
}
