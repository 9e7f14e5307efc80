import type { Uri } from '@centralita/sip';
import { parseNameAddress, parseUri } from '@centralita/sip';
import type { SendTarget } from '@centralita/sip-transport';
import type { sipAccounts } from '@centralita/store';
import { SipLegs } from './sip-legs.ts';

/** A phone to ring: where its INVITE is addressed and sent, and where it goes next if that flow is dead. */
export interface PhoneToRing {
  readonly requestUri: Uri;
  /**
   * The phone's registration source (its address and port behind NAT), the flow it registered over, or the
   * first proxy of its Path (RFC 3327).
   */
  readonly target: SendTarget;
  /** RFC 5626 §5.3: the phone's other live flows, tried in turn when `target` fails before it rings. */
  readonly failoverTo: readonly SendTarget[];
  /** RFC 3327 §5.4: the Path the phone registered through, as the INVITE's Route values (none when direct). */
  readonly route: readonly string[];
}

/** What of a binding the choice needs (a row of `sipAccounts.listBindings`). */
export type RegisteredContact = Pick<
  sipAccounts.SipBinding,
  | 'contactUri'
  | 'transport'
  | 'sourceAddress'
  | 'sourcePort'
  | 'registeredAt'
  | 'instanceId'
  | 'regId'
  | 'path'
>;

/**
 * Every registered phone of a user, rung together when they are called (`SipLegs.invite` forks), the most
 * recently registered first, unusable contacts left out. A phone that registered without outbound is one
 * branch per Contact, as RFC 3261 has it. A phone that registered flows (RFC 5626 §5.3, §7) is ONE branch:
 * its most recently registered flow that is still open (`hasFlow`, asked of the SIP endpoint), with its other
 * open flows as failover targets of that branch; the targets are flow-only, so a closed flow is never
 * replaced by a new connection to the phone's address (it is behind NAT and will register again). A phone
 * none of whose flows is open is not rung.
 *
 * A phone that registered through other proxies (RFC 3327 Path) is reached through them: the INVITE carries
 * the Path as its Route and goes to the first proxy, at the address of its URI when that is an IP address,
 * else where the REGISTER came from (the proxy next to us). Its flows are then the edge proxy's to keep
 * (RFC 5626 §5.3), so they are not looked for among our connections, and only flows through the same Path
 * serve as failover.
 */
export function phonesToRing(
  bindings: readonly RegisteredContact[],
  hasFlow: (target: SendTarget) => boolean,
): PhoneToRing[] {
  const latestFirst = [...bindings].sort((a, b) => b.registeredAt.getTime() - a.registeredAt.getTime());
  const seenContacts = new Set<string>();
  const instances = new Map<string, { requestUri: Uri; route: readonly string[]; targets: SendTarget[] }>();
  const phones: (PhoneToRing | { readonly instanceId: string })[] = [];
  for (const binding of latestFirst) {
    const requestUri = parseUri(binding.contactUri);
    if (requestUri === undefined) continue;
    const source = SipLegs.target(binding.transport, binding.sourceAddress, binding.sourcePort);
    const route = binding.path;
    const target = route.length === 0 ? source : (firstProxy(route) ?? source);
    if (binding.instanceId === null || binding.regId === null) {
      if (seenContacts.has(binding.contactUri)) continue;
      seenContacts.add(binding.contactUri);
      phones.push({ requestUri, target, failoverTo: [], route });
      continue;
    }
    let flowTarget = target;
    if (route.length === 0) {
      flowTarget = { ...target, isFlowOnly: true };
      if (!hasFlow(flowTarget)) continue;
    }
    const instance = instances.get(binding.instanceId);
    if (instance === undefined) {
      instances.set(binding.instanceId, { requestUri, route, targets: [flowTarget] });
      phones.push({ instanceId: binding.instanceId });
    } else if (
      isSameRoute(instance.route, route) &&
      !instance.targets.some((known) => isSameTarget(known, flowTarget))
    ) {
      instance.targets.push(flowTarget);
    }
  }
  return phones.flatMap((phone) => {
    if (!('instanceId' in phone)) return [phone];
    const instance = instances.get(phone.instanceId);
    const [target, ...failoverTo] = instance?.targets ?? [];
    return instance === undefined || target === undefined
      ? []
      : [{ requestUri: instance.requestUri, target, failoverTo, route: instance.route }];
  });
}

/** Where the first proxy of a Path listens, when its URI names an IP address (RFC 3263 §4 defaults). */
function firstProxy(route: readonly string[]): SendTarget | undefined {
  const first = route[0] === undefined ? undefined : parseNameAddress(route[0]);
  if (first?.uri.kind !== 'sip') return undefined;
  const uri = first.uri;
  if (uri.host.kind === 'domain') return undefined;
  const host = uri.host.address;
  const transport = uri.params
    .find((param) => param.name.toLowerCase() === 'transport')
    ?.value?.toLowerCase();
  const protocol = uri.scheme === 'sips' ? 'tls' : (transport ?? 'udp');
  const port = uri.port ?? (protocol === 'tls' || protocol === 'wss' ? 5061 : 5060);
  return SipLegs.target(protocol, host, port);
}

function isSameRoute(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value, index) => value === b[index]);
}

function isSameTarget(a: SendTarget, b: SendTarget): boolean {
  return a.protocol === b.protocol && a.address === b.address && a.port === b.port;
}
