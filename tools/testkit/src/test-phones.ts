import type { Socket } from 'node:dgram';
import { createSocket } from 'node:dgram';
import type { Database, TenantContext } from '@centralita/store';
import { sipAccounts, tenants } from '@centralita/store';

// Ports and registrations for test phones that do not register themselves (SIPp, scripted sockets).

async function boundUdpSocket(port: number): Promise<Socket | undefined> {
  const socket = createSocket('udp4');
  return new Promise((resolve) => {
    socket.once('error', () => {
      socket.close();
      resolve(undefined);
    });
    socket.bind(port, '127.0.0.1', () => {
      resolve(socket);
    });
  });
}

/** A UDP port on 127.0.0.1 that is free when asked (the OS picks it), for a peer that must be told its port. */
export async function freeUdpPort(): Promise<number> {
  const socket = await boundUdpSocket(0);
  if (socket === undefined) throw new Error('no free UDP port on 127.0.0.1');
  const { port } = socket.address();
  await new Promise<void>((resolve) => {
    socket.close(() => {
      resolve();
    });
  });
  return port;
}

/** The ports a SIPp phone is told to use: SIP (`-p`) and media (`-mp`). */
export interface SippPorts {
  readonly sipPort: number;
  /** SIPp binds it for audio, and the port two above it for video. */
  readonly mediaPort: number;
}

/** Ports on 127.0.0.1 for the named SIPp phones, all free and distinct when asked. */
export async function freeSippPorts<Phone extends string>(
  phones: readonly Phone[],
): Promise<Record<Phone, SippPorts>> {
  // Every socket stays bound until all the ports are found, so the OS cannot hand out one of them twice.
  const held: Socket[] = [];
  const hold = async (port: number): Promise<number | undefined> => {
    const socket = await boundUdpSocket(port);
    if (socket === undefined) return undefined;
    held.push(socket);
    return socket.address().port;
  };
  try {
    const found: [Phone, SippPorts][] = [];
    for (const phone of phones)
      for (let attempt = 0; ; attempt++) {
        if (attempt === 20) throw new Error('no free UDP ports for a SIPp phone on 127.0.0.1');
        const sipPort = await hold(0);
        const mediaPort = await hold(0);
        if (sipPort === undefined || mediaPort === undefined || mediaPort + 2 > 65_535) continue;
        if ((await hold(mediaPort + 2)) === undefined) continue;
        found.push([phone, { sipPort, mediaPort }]);
        break;
      }
    return Object.fromEntries(found) as Record<Phone, SippPorts>;
  } finally {
    for (const socket of held) socket.close();
  }
}

/**
 * Stores a registration of user `userId` (extension `extension`) of the tenant `tenantSlug` at
 * 127.0.0.1:`port` over UDP, as a REGISTER would store it, for a phone that does not register itself; gives
 * the function that removes it.
 */
export async function bindPhone(
  database: Database,
  binding: {
    readonly tenantSlug: string;
    readonly userId: string;
    readonly extension: string;
    readonly port: number;
    readonly userAgent: string;
    /** The phone's own Contact, when it is not `sip:<extension>@127.0.0.1:<port>` (a phone behind a proxy). */
    readonly contactUri?: string;
    /** RFC 3327: the proxies the phone registered through (Path values, topmost first). */
    readonly path?: readonly string[];
  },
): Promise<() => Promise<void>> {
  const tenant = await database.asSystem((tx) => tenants.findTenantBySlug(tx, binding.tenantSlug));
  if (tenant === undefined) throw new Error(`no tenant ${binding.tenantSlug}`);
  const context: TenantContext = {
    tenantId: tenant.id as TenantContext['tenantId'],
    actor: { type: 'system', id: 'test' },
  };
  const contactUri = binding.contactUri ?? `sip:${binding.extension}@127.0.0.1:${String(binding.port)}`;
  await database.inTenant(context, (tx) =>
    sipAccounts.saveBinding(tx, {
      userId: binding.userId,
      contactUri,
      transport: 'udp',
      sourceAddress: '127.0.0.1',
      sourcePort: binding.port,
      callId: `test-phone-${String(binding.port)}`,
      cseq: 1,
      userAgent: binding.userAgent,
      expiresAt: new Date(Date.now() + 7_200_000),
      path: binding.path,
    }),
  );
  return () => database.inTenant(context, (tx) => sipAccounts.removeBinding(tx, binding.userId, contactUri));
}
