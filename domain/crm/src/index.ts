export { crmErrorCodes } from './errors.ts';
export type { CrmErrorCode } from './errors.ts';
export { normalizePhoneNumber, isKnownCountry } from './phone-number.ts';
export type { E164 } from './phone-number.ts';
export { normalizeEmail } from './email-address.ts';
export type { EmailAddress } from './email-address.ts';
export { identityKinds, normalizeChannelAddress } from './channel-address.ts';
export type { IdentityKind } from './channel-address.ts';
export { nextTicketStatus, ticketStatusCategories } from './ticket-status.ts';
export type { TicketLifecycle, TicketStatusCategory } from './ticket-status.ts';
export type { ScreenPop, ScreenPopCustomer, ScreenPopInteraction, ScreenPopTicket } from './screen-pop.ts';
export { callScriptFields, parseCallScript, renderCallScript } from './call-script.ts';
export type {
  CallScriptField,
  CallScriptProblem,
  CallScriptSegment,
  CallScriptValues,
} from './call-script.ts';
