import type { Random } from '@centralita/kernel';
import { isIpv4Address, isIpv6Address } from '../message/host.ts';

/** The transports server location chooses between (RFC 3263 §4.1): UDP, TCP, and TLS over TCP. */
export type LocatedTransport = 'udp' | 'tcp' | 'tls';

/** One place to send a request: an IP address literal (IPv6 without brackets), a port and a transport. */
export interface ServerTarget {
  readonly transport: LocatedTransport;
  readonly address: string;
  readonly port: number;
}

/** The parts of a SIP or SIPS URI that RFC 3263 §4 reads (or of a trunk's outbound settings). */
export interface ServerToLocate {
  /** A domain name or an IP address literal (an IPv6 address with or without brackets). */
  readonly host: string;
  /** The URI's port, when it has one. */
  readonly port?: number | undefined;
  /** The URI's `transport` parameter (or a transport configured for the target), when there is one. */
  readonly transport?: LocatedTransport | undefined;
  /** A `sips:` URI: only TLS will do (RFC 3263 §4.1). */
  readonly isSecure?: boolean | undefined;
}

/** What the client may use, most preferred first, and how far it follows the records it is given. */
export interface LocationPolicy {
  /** Transports we support and the target allows, most preferred first (for SRV without NAPTR). */
  readonly transports: readonly LocatedTransport[];
  /** SRV targets whose addresses are looked up, lowest priority first: a bound on the queries one zone can cause. */
  readonly maxSrvTargets: number;
}

/** The policy used when none is given: every transport, TLS first, as RFC 3263 §4.1 suggests. */
export const defaultLocationPolicy: LocationPolicy = {
  transports: ['tls', 'tcp', 'udp'],
  maxSrvTargets: 16,
};

/** A DNS question server location asks. Names are written without the trailing dot. */
export type DnsQuery =
  | { readonly type: 'NAPTR'; readonly name: string }
  | { readonly type: 'SRV'; readonly name: string }
  | { readonly type: 'A'; readonly name: string }
  | { readonly type: 'AAAA'; readonly name: string };

/** A NAPTR record (RFC 3403 §4.1) as a resolver returns it. */
export interface NaptrRecord {
  readonly order: number;
  readonly preference: number;
  readonly flags: string;
  readonly service: string;
  readonly regexp: string;
  readonly replacement: string;
}

/** An SRV record (RFC 2782) as a resolver returns it; `name` is the target host. */
export interface SrvRecord {
  readonly priority: number;
  readonly weight: number;
  readonly port: number;
  readonly name: string;
}

/**
 * The answer to a DNS query. A name that does not exist, a query that failed or timed out, and an empty
 * answer are all no records: RFC 3263 moves on to the next step either way.
 */
export type DnsAnswer =
  | { readonly type: 'NAPTR'; readonly records: readonly NaptrRecord[] }
  | { readonly type: 'SRV'; readonly records: readonly SrvRecord[] }
  | { readonly type: 'A' | 'AAAA'; readonly addresses: readonly string[] };

/** Answers gathered so far, keyed by `dnsQueryKey`. */
export type DnsAnswers = ReadonlyMap<string, DnsAnswer>;

/** Either the queries still needed, or the ordered targets to try (empty: the target cannot be reached). */
export type LocationStep =
  | { readonly kind: 'query'; readonly queries: readonly DnsQuery[] }
  | { readonly kind: 'located'; readonly targets: readonly ServerTarget[] };

/** The key an answer to `query` is stored under in `DnsAnswers` (names compare without case or final dot). */
export function dnsQueryKey(query: DnsQuery): string {
  return `${query.type} ${normalName(query.name)}`;
}

/** The default port of a transport (RFC 3261 §19.1.2; 5061 for TLS). */
export function defaultPortOf(transport: LocatedTransport): number {
  return transport === 'tls' ? 5061 : 5060;
}

/** The SRV owner name for a transport (RFC 3263 §4.2, RFC 2782): `_sip._udp`, `_sip._tcp`, `_sips._tcp`. */
export function srvName(transport: LocatedTransport, host: string): string {
  const prefix = transport === 'udp' ? '_sip._udp' : transport === 'tcp' ? '_sip._tcp' : '_sips._tcp';
  return `${prefix}.${normalName(host)}`;
}

/** NAPTR services for SIP (RFC 3263 §4.1) and the transport each stands for. */
const naptrServices: ReadonlyMap<string, LocatedTransport> = new Map([
  ['SIP+D2U', 'udp'],
  ['SIP+D2T', 'tcp'],
  ['SIPS+D2T', 'tls'],
]);

/**
 * One step of RFC 3263 §4 server location, as a pure function of the answers gathered so far: call it
 * with no answers, carry out the queries it returns, add their answers, and call it again until it
 * returns the targets. `random` is drawn from only on that last call, to order SRV records of equal
 * priority by weight (RFC 2782), so a run is replayed exactly with a seeded `Random`.
 *
 * - An IP address host is used as it is, with the URI's port or the transport's default (§4.2).
 * - A port: no NAPTR, no SRV; A/AAAA of the host (§4.2). A transport without a port: the SRV of that
 *   transport, else A/AAAA with its default port.
 * - Neither: NAPTR (§4.1) for the services we support, by order then preference, each followed to its
 *   SRV; with no usable NAPTR, SRV for each transport of the policy; with no SRV, A/AAAA with UDP (TLS
 *   for SIPS) on the default port.
 *
 * The targets come in the order they should be tried (RFC 3263 §4.3): a transport error, a timeout or a
 * 503 on one moves to the next.
 */
export function locateServer(
  server: ServerToLocate,
  answers: DnsAnswers,
  random: Random,
  policy: LocationPolicy = defaultLocationPolicy,
): LocationStep {
  const isSecure = server.isSecure === true;
  // RFC 3263 §4.1: a SIPS URI is reached over TLS only.
  const usable = policy.transports.filter((transport) => !isSecure || transport === 'tls');
  const host =
    server.host.startsWith('[') && server.host.endsWith(']') ? server.host.slice(1, -1) : server.host;

  if (isIpv4Address(host) || isIpv6Address(host, true)) {
    const transport = server.transport ?? fallbackTransport(isSecure, usable);
    if (transport === undefined || !usable.includes(transport)) return located([]);
    return located([{ transport, address: host, port: server.port ?? defaultPortOf(transport) }]);
  }

  if (server.port !== undefined) {
    // §4.1: a name with a port and no transport is UDP for SIP, TLS for SIPS; §4.2: no SRV with a port.
    const transport = server.transport ?? fallbackTransport(isSecure, usable);
    if (transport === undefined || !usable.includes(transport)) return located([]);
    return addressTargets(host, transport, server.port, answers);
  }

  const plan =
    server.transport === undefined
      ? planFromNaptr(host, isSecure, usable, answers)
      : usable.includes(server.transport)
        ? srvPlan([{ transport: server.transport, name: srvName(server.transport, host) }], server.transport)
        : ({ kind: 'none' } as const);
  switch (plan.kind) {
    case 'none':
      return located([]);
    case 'query':
      return plan.step;
    case 'srv':
      return srvTargets(host, plan, answers, random, policy);
  }
}

type SrvService = { readonly transport: LocatedTransport; readonly name: string };

type Plan =
  | { readonly kind: 'none' }
  | { readonly kind: 'query'; readonly step: LocationStep }
  | {
      readonly kind: 'srv';
      readonly services: readonly SrvService[];
      /** The transport of the A/AAAA step when no SRV record is found (§4.2). */
      readonly addressTransport: LocatedTransport | undefined;
    };

function srvPlan(services: readonly SrvService[], addressTransport: LocatedTransport | undefined): Plan {
  return { kind: 'srv', services, addressTransport };
}

/** §4.1: the SRV names the NAPTR records point at, in order; else one SRV name per transport we use. */
function planFromNaptr(
  host: string,
  isSecure: boolean,
  usable: readonly LocatedTransport[],
  answers: DnsAnswers,
): Plan {
  const naptr = answerTo({ type: 'NAPTR', name: host }, answers);
  if (naptr === undefined) return { kind: 'query', step: query([{ type: 'NAPTR', name: host }]) };
  const records = naptr.type === 'NAPTR' ? naptr.records : [];
  const services: SrvService[] = [];
  for (const record of [...records].sort((a, b) => a.order - b.order || a.preference - b.preference)) {
    const transport = naptrServices.get(record.service.toUpperCase());
    // Only terminal "S" records lead to SRV (RFC 3403 §4.1, RFC 3263 §4.1); services we do not speak,
    // or the target does not allow, are skipped.
    if (transport === undefined || !usable.includes(transport)) continue;
    if (record.flags.toUpperCase() !== 'S' || normalName(record.replacement) === '') continue;
    services.push({ transport, name: normalName(record.replacement) });
  }
  if (services.length > 0) return srvPlan(services, services[0]?.transport);
  // No NAPTR we can use: RFC 3263 §4.1 has the client query SRV for each transport it supports, and
  // without SRV use UDP for SIP, TLS for SIPS.
  return srvPlan(
    usable.map((transport) => ({ transport, name: srvName(transport, host) })),
    fallbackTransport(isSecure, usable),
  );
}

/** The SRV records of each service in turn, ordered by RFC 2782, each target's addresses after it. */
function srvTargets(
  host: string,
  plan: Extract<Plan, { kind: 'srv' }>,
  answers: DnsAnswers,
  random: Random,
  policy: LocationPolicy,
): LocationStep {
  const services = plan.services;
  const missing = services
    .map((service): DnsQuery => ({ type: 'SRV', name: service.name }))
    .filter((srv) => answerTo(srv, answers) === undefined);
  if (missing.length > 0) return query(missing);

  const found = services.map((service) => {
    const answer = answerTo({ type: 'SRV', name: service.name }, answers);
    return { service, records: answer?.type === 'SRV' ? answer.records : [] };
  });
  if (found.every(({ records }) => records.length === 0)) {
    // §4.2: no SRV records: A/AAAA of the host, on the transport's default port.
    const transport = plan.addressTransport;
    if (transport === undefined) return located([]);
    return addressTargets(host, transport, defaultPortOf(transport), answers);
  }

  // RFC 2782: a single record with target "." says the service is decidedly not available there.
  const available = found.map(({ service, records }) => ({
    service,
    records: records.filter((record) => normalName(record.name) !== ''),
  }));
  const names = boundedTargetNames(
    available.flatMap(({ records }) => records),
    policy.maxSrvTargets,
  );
  const addressQueries = [...names].flatMap((name): DnsQuery[] => [
    { type: 'A', name },
    { type: 'AAAA', name },
  ]);
  const unanswered = addressQueries.filter((address) => answerTo(address, answers) === undefined);
  if (unanswered.length > 0) return query(unanswered);

  const targets: ServerTarget[] = [];
  for (const { service, records } of available) {
    for (const record of orderSrvRecords(
      records.filter((r) => names.has(normalName(r.name))),
      random,
    )) {
      for (const address of addressesOf(normalName(record.name), answers))
        targets.push({ transport: service.transport, address, port: record.port });
    }
  }
  return located(targets);
}

/** The distinct target names to look up: lowest priority first, at most `max`. */
function boundedTargetNames(records: readonly SrvRecord[], max: number): Set<string> {
  const names = new Set<string>();
  for (const record of [...records].sort((a, b) => a.priority - b.priority)) {
    if (names.size >= max) break;
    names.add(normalName(record.name));
  }
  return names;
}

/**
 * RFC 2782's selection: by priority, lowest first; within a priority, repeatedly pick a record with
 * probability proportional to its weight (zero-weight records first in the running sum, so they are
 * chosen rarely but not never), giving the whole order to try.
 */
export function orderSrvRecords(records: readonly SrvRecord[], random: Random): SrvRecord[] {
  const priorities = [...new Set(records.map((record) => record.priority))].sort((a, b) => a - b);
  const ordered: SrvRecord[] = [];
  for (const priority of priorities) {
    const remaining = records
      .filter((record) => record.priority === priority)
      .sort((a, b) => Number(a.weight !== 0) - Number(b.weight !== 0));
    while (remaining.length > 0) {
      const total = remaining.reduce((sum, record) => sum + record.weight, 0);
      const pick = Math.floor(random.next() * (total + 1));
      let running = 0;
      let index = remaining.findIndex((record) => {
        running += record.weight;
        return running >= pick;
      });
      if (index < 0) index = remaining.length - 1;
      const [chosen] = remaining.splice(index, 1);
      if (chosen !== undefined) ordered.push(chosen);
    }
  }
  return ordered;
}

/** A/AAAA of `name`, IPv4 first (the SIP service binds an IPv4 wildcard by default). */
function addressTargets(
  name: string,
  transport: LocatedTransport,
  port: number,
  answers: DnsAnswers,
): LocationStep {
  const queries: DnsQuery[] = [
    { type: 'A', name },
    { type: 'AAAA', name },
  ];
  const unanswered = queries.filter((address) => answerTo(address, answers) === undefined);
  if (unanswered.length > 0) return query(unanswered);
  return located(addressesOf(normalName(name), answers).map((address) => ({ transport, address, port })));
}

function addressesOf(name: string, answers: DnsAnswers): string[] {
  const addresses: string[] = [];
  for (const type of ['A', 'AAAA'] as const) {
    const answer = answerTo({ type, name }, answers);
    if (answer !== undefined && 'addresses' in answer) addresses.push(...answer.addresses);
  }
  return [...new Set(addresses)];
}

/** UDP for SIP when we use it, else the first transport we use; TLS for SIPS (RFC 3263 §4.1). */
function fallbackTransport(
  isSecure: boolean,
  usable: readonly LocatedTransport[],
): LocatedTransport | undefined {
  if (isSecure) return usable.includes('tls') ? 'tls' : undefined;
  return usable.includes('udp') ? 'udp' : usable[0];
}

function answerTo(dnsQuery: DnsQuery, answers: DnsAnswers): DnsAnswer | undefined {
  return answers.get(dnsQueryKey(dnsQuery));
}

function normalName(name: string): string {
  return (name.endsWith('.') ? name.slice(0, -1) : name).toLowerCase();
}

function query(queries: readonly DnsQuery[]): LocationStep {
  // NAPTR records may point several services at one SRV name: ask each question once.
  const keys = new Set<string>();
  return {
    kind: 'query',
    queries: queries.filter((dnsQuery) => {
      const key = dnsQueryKey(dnsQuery);
      if (keys.has(key)) return false;
      keys.add(key);
      return true;
    }),
  };
}

function located(targets: readonly ServerTarget[]): LocationStep {
  const seen = new Set<string>();
  const distinct = targets.filter((target) => {
    const key = `${target.transport} ${target.address} ${String(target.port)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return { kind: 'located', targets: distinct };
}
