import type { Uri } from '@centralita/sip';
import { parseUri } from '@centralita/sip';
import type { SendTarget } from '@centralita/sip-transport';
import type { sipAccounts } from '@centralita/store';
import { SipLegs } from './sip-legs.ts';

/** A phone to ring: where its INVITE is addressed and sent, and where it goes next if that flow is dead. */
export interface PhoneToRing {
  readonly requestUri: Uri;
  /** The phone's registration source (its address and port behind NAT), or the flow it registered over. */
  readonly target: SendTarget;
  /** RFC 5626 §5.3: the phone's other live flows, tried in turn when `target` fails before it rings. */
  readonly failoverTo: readonly SendTarget[];
}

/** What of a binding the choice needs (a row of `sipAccounts.listBindings`). */
export type RegisteredContact = Pick<
  sipAccounts.SipBinding,
  'contactUri' | 'transport' | 'sourceAddress' | 'sourcePort' | 'registeredAt' | 'instanceId' | 'regId'
>;

/**
 * Every registered phone of a user, rung together when they are called (`SipLegs.invite` forks), the most
 * recently registered first, unusable contacts left out. A phone that registered without outbound is one
 * branch per Contact, as RFC 3261 has it. A phone that registered flows (RFC 5626 §5.3, §7) is ONE branch:
 * its most recently registered flow that is still open (`hasFlow`, asked of the SIP endpoint), with its other
 * open flows as failover targets of that branch; the targets are flow-only, so a closed flow is never
 * replaced by a new connection to the phone's address (it is behind NAT and will register again). A phone
 * none of whose flows is open is not rung.
 */
export function phonesToRing(
  bindings: readonly RegisteredContact[],
  hasFlow: (target: SendTarget) => boolean,
): PhoneToRing[] {
  const latestFirst = [...bindings].sort((a, b) => b.registeredAt.getTime() - a.registeredAt.getTime());
  const seenContacts = new Set<string>();
  const instances = new Map<string, { requestUri: Uri; targets: SendTarget[] }>();
  const phones: (PhoneToRing | { readonly instanceId: string })[] = [];
  for (const binding of latestFirst) {
    const requestUri = parseUri(binding.contactUri);
    if (requestUri === undefined) continue;
    const target = SipLegs.target(binding.transport, binding.sourceAddress, binding.sourcePort);
    if (binding.instanceId === null || binding.regId === null) {
      if (seenContacts.has(binding.contactUri)) continue;
      seenContacts.add(binding.contactUri);
      phones.push({ requestUri, target, failoverTo: [] });
      continue;
    }
    const flowTarget: SendTarget = { ...target, isFlowOnly: true };
    if (!hasFlow(flowTarget)) continue;
    const instance = instances.get(binding.instanceId);
    if (instance === undefined) {
      instances.set(binding.instanceId, { requestUri, targets: [flowTarget] });
      phones.push({ instanceId: binding.instanceId });
    } else if (!instance.targets.some((known) => isSameTarget(known, flowTarget))) {
      instance.targets.push(flowTarget);
    }
  }
  return phones.flatMap((phone) => {
    if (!('instanceId' in phone)) return [phone];
    const instance = instances.get(phone.instanceId);
    const [target, ...failoverTo] = instance?.targets ?? [];
    return instance === undefined || target === undefined
      ? []
      : [{ requestUri: instance.requestUri, target, failoverTo }];
  });
}

function isSameTarget(a: SendTarget, b: SendTarget): boolean {
  return a.protocol === b.protocol && a.address === b.address && a.port === b.port;
}
