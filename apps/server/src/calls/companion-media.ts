import type { Logger } from 'pino';
import type { InboundCallCommand } from '@centralita/calls';
import type { MediaEngine } from '@centralita/rtp-transport';

/** The decider's commands that rearrange a call's media for a third party. */
export type ConferenceCommand = Extract<
  InboundCallCommand,
  { type: 'BridgePair' | 'UnbridgeLeg' | 'JoinConference' | 'SetConferenceMode' | 'LeaveConference' }
>;

/** The one conference a call can have (supervision or a three-way call), named after the interaction. */
export function conferenceIdOf(interactionId: string): string {
  return `conf-${interactionId}`;
}

/** The legs of a call's conference, kept by the call layer while it exists. */
export interface ConferenceMembers {
  readonly interactionId: string;
  conference:
    | { readonly customerLegId: string; readonly agentLegId: string; readonly companionLegId: string }
    | undefined;
}

/**
 * Carries out a conference command on the media engine: the pair is unbridged and the three legs join one
 * mixer whose hear/speak matrix is the mode's (docs/media.md). The engine's refusals are logged: a leg that
 * vanished mid-change (its phone hung up) is normal, and the decider hears about that leg on its own.
 */
export async function carryOutConferenceCommand(
  media: MediaEngine,
  call: ConferenceMembers,
  command: ConferenceCommand,
  logger: Logger,
): Promise<void> {
  const conferenceId = conferenceIdOf(call.interactionId);
  const results: { readonly ok: boolean; readonly error?: { readonly message: string } }[] = [];
  switch (command.type) {
    case 'BridgePair':
      results.push(await media.bridge(command.legIds[0], command.legIds[1]));
      break;
    case 'UnbridgeLeg':
      results.push(await media.unbridge(command.legId));
      break;
    case 'JoinConference': {
      results.push(await media.unbridge(command.customerLegId), await media.unbridge(command.agentLegId));
      for (const legId of [command.customerLegId, command.agentLegId, command.companionLegId])
        results.push(await media.conferenceAdd({ conferenceId, legId }));
      call.conference = {
        customerLegId: command.customerLegId,
        agentLegId: command.agentLegId,
        companionLegId: command.companionLegId,
      };
      results.push(
        await media.conferenceSupervise({
          conferenceId,
          mode: command.mode,
          customerLegId: command.customerLegId,
          agentLegId: command.agentLegId,
          supervisorLegId: command.companionLegId,
        }),
      );
      break;
    }
    case 'SetConferenceMode': {
      const members = call.conference;
      if (members === undefined) break;
      results.push(
        await media.conferenceSupervise({
          conferenceId,
          mode: command.mode,
          customerLegId: members.customerLegId,
          agentLegId: members.agentLegId,
          supervisorLegId: members.companionLegId,
        }),
      );
      break;
    }
    case 'LeaveConference':
      call.conference = undefined;
      for (const legId of command.legIds) results.push(await media.conferenceRemove(conferenceId, legId));
      break;
  }
  for (const result of results)
    if (!result.ok)
      logger.debug(
        { interactionId: call.interactionId, command: command.type, reason: result.error?.message },
        'conference change refused by the media engine',
      );
}
