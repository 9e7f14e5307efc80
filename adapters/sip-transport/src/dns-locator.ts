import { Resolver, lookup } from 'node:dns/promises';
import type { Random } from '@centralita/kernel';
import { defaultLocationPolicy, dnsQueryKey, locateServer } from '@centralita/sip';
import type { DnsAnswer, DnsQuery, LocationPolicy, ServerToLocate } from '@centralita/sip';
import type { SendTarget } from './transport-types.ts';

/** How the locator reaches DNS. */
export interface DnsLocatorOptions {
  /**
   * DNS servers as `address` or `address:port` (`[v6]:port`), tried in order; the system's
   * (/etc/resolv.conf) when absent or empty.
   */
  readonly servers?: readonly string[] | undefined;
  /** Per-query timeout before the next try (c-ares doubles it on each retry). */
  readonly timeoutMs?: number | undefined;
  /** Attempts per server. */
  readonly tries?: number | undefined;
  /** Orders SRV records of one priority by weight; uniform in [0, 1). */
  readonly random?: Random | undefined;
}

/** Calls of `locateServer` a location takes at most: NAPTR, SRV, A/AAAA, then the targets; one to spare. */
const maxRounds = 5;

const mathRandom: Random = { next: () => Math.random() };

/**
 * RFC 3263 server location over real DNS: the pure `locateServer` decides, this asks the questions it
 * returns (NAPTR, SRV, A, AAAA with `node:dns/promises`'s `Resolver`) and feeds the answers back.
 */
export class DnsLocator {
  readonly #resolver: Resolver;
  readonly #isSystemResolver: boolean;
  readonly #random: Random;

  constructor(options: DnsLocatorOptions = {}) {
    this.#resolver = new Resolver({ timeout: options.timeoutMs ?? 2000, tries: options.tries ?? 2 });
    const servers = options.servers ?? [];
    this.#isSystemResolver = servers.length === 0;
    if (!this.#isSystemResolver) this.#resolver.setServers([...servers]);
    this.#random = options.random ?? mathRandom;
  }

  /** The targets to try for `server`, in order (RFC 3263 §4.3); empty when nothing is found. */
  async locate(
    server: ServerToLocate,
    policy: LocationPolicy = defaultLocationPolicy,
  ): Promise<SendTarget[]> {
    const answers = new Map<string, DnsAnswer>();
    for (let round = 0; round < maxRounds; round += 1) {
      const step = locateServer(server, answers, this.#random, policy);
      if (step.kind === 'located')
        return step.targets.map((target) => ({
          protocol: target.transport,
          address: target.address,
          port: target.port,
        }));
      const found = await Promise.all(step.queries.map((query) => this.#ask(query)));
      step.queries.forEach((query, index) => {
        const answer = found[index];
        if (answer !== undefined) answers.set(dnsQueryKey(query), answer);
      });
    }
    return [];
  }

  /** Stops queries in flight (they end with ECANCELLED, read as no records). */
  cancel(): void {
    this.#resolver.cancel();
  }

  async #ask(query: DnsQuery): Promise<DnsAnswer> {
    switch (query.type) {
      case 'NAPTR':
        return { type: 'NAPTR', records: await orNone(this.#resolver.resolveNaptr(query.name)) };
      case 'SRV':
        return { type: 'SRV', records: await orNone(this.#resolver.resolveSrv(query.name)) };
      case 'A':
      case 'AAAA': {
        const family = query.type === 'A' ? 4 : 6;
        const asked =
          family === 4 ? this.#resolver.resolve4(query.name) : this.#resolver.resolve6(query.name);
        const addresses = await orNone(asked);
        if (addresses.length > 0 || !this.#isSystemResolver) return { type: query.type, addresses };
        // With the system's DNS, names DNS does not know may still be in /etc/hosts (`localhost`, a
        // carrier pinned by hand): getaddrinfo, as `lookup` had done before RFC 3263 location.
        const local = await orNone(lookup(query.name, { family, all: true }));
        return { type: query.type, addresses: local.map((entry) => entry.address) };
      }
    }
  }
}

/** NXDOMAIN, no data, a server failure and a timeout all mean no records to RFC 3263: try the next step. */
async function orNone<T>(answer: Promise<T[]>): Promise<T[]> {
  try {
    return await answer;
  } catch {
    return [];
  }
}
