import type { Socket } from 'node:dgram';
import { createSocket as createUdpSocket } from 'node:dgram';
import dnsPacket from 'dns-packet';
import type { Answer, Question } from 'dns-packet';

/** Records a test zone serves, by owner name (lower case, no final dot). */
export interface TestZone {
  readonly naptr?: Record<
    string,
    readonly {
      order: number;
      preference: number;
      flags: string;
      services: string;
      regexp: string;
      replacement: string;
    }[]
  >;
  readonly srv?: Record<
    string,
    readonly { priority: number; weight: number; port: number; target: string }[]
  >;
  readonly a?: Record<string, readonly string[]>;
  readonly aaaa?: Record<string, readonly string[]>;
}

/**
 * A tiny authoritative DNS server over UDP on loopback for tests: answers NAPTR, SRV, A and AAAA from a
 * zone held in memory (NXDOMAIN for names it has nothing for, an empty answer for other types), and
 * records the questions it was asked.
 */
export class TestDnsServer {
  readonly questions: string[] = [];
  readonly #socket: Socket;
  readonly zone: TestZone;

  private constructor(socket: Socket, zone: TestZone) {
    this.#socket = socket;
    this.zone = zone;
  }

  static async start(zone: TestZone, host = '127.0.0.1'): Promise<TestDnsServer> {
    const socket = createUdpSocket(host.includes(':') ? 'udp6' : 'udp4');
    const server = new TestDnsServer(socket, zone);
    socket.on('message', (message, remote) => {
      const reply = server.#answer(message);
      if (reply !== undefined) socket.send(reply, remote.port, remote.address);
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    return server;
  }

  /** `127.0.0.1:PORT`, as `Resolver.setServers` and `CENTRALITA_SIP_DNS_SERVERS` take it. */
  get address(): string {
    const { address, port } = this.#socket.address();
    return address.includes(':') ? `[${address}]:${String(port)}` : `${address}:${String(port)}`;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.#socket.close(() => {
        resolve();
      });
    });
  }

  #answer(message: Buffer): Buffer | undefined {
    let query;
    try {
      query = dnsPacket.decode(message);
    } catch {
      return undefined;
    }
    const answers: Answer[] = [];
    let isKnownName = false;
    for (const question of query.questions ?? []) {
      const name = question.name.toLowerCase().replace(/\.$/, '');
      this.questions.push(`${question.type} ${name}`);
      isKnownName ||= this.#isKnown(name);
      answers.push(...this.#recordsFor(question, name));
    }
    return dnsPacket.encode({
      type: 'response',
      id: query.id ?? 0,
      flags: dnsPacket.AUTHORITATIVE_ANSWER | (isKnownName ? 0 : 3),
      questions: query.questions ?? [],
      answers,
    });
  }

  #isKnown(name: string): boolean {
    const { naptr, srv, a, aaaa } = this.zone;
    return [naptr, srv, a, aaaa].some((records) => records?.[name] !== undefined);
  }

  #recordsFor(question: Question, name: string): Answer[] {
    const base = { name: question.name, ttl: 60, class: 'IN' as const };
    const { naptr, srv, a, aaaa } = this.zone;
    if (question.type === 'NAPTR')
      return (naptr?.[name] ?? []).map((data) => ({ ...base, type: 'NAPTR' as const, data }));
    if (question.type === 'SRV')
      return (srv?.[name] ?? []).map((data) => ({ ...base, type: 'SRV' as const, data }));
    if (question.type === 'A')
      return (a?.[name] ?? []).map((data) => ({ ...base, type: 'A' as const, data }));
    if (question.type === 'AAAA')
      return (aaaa?.[name] ?? []).map((data) => ({ ...base, type: 'AAAA' as const, data }));
    // Other types: the name exists but has no such records (an empty answer).
    return [];
  }
}
