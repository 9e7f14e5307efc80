export type { TrafficErrorCode } from './errors.ts';
export { TrafficError } from './errors.ts';
export type { VoiceOptions } from './voice-signal.ts';
export { VoiceSignal } from './voice-signal.ts';
export type { RtpPeer } from './rtp-stream.ts';
export { RtpStream } from './rtp-stream.ts';
export type { CallEnding } from './phone-call.ts';
export { PhoneCall } from './phone-call.ts';
export type { SipAccount, SoftPhoneOptions } from './soft-phone.ts';
export { SoftPhone } from './soft-phone.ts';
export { demoAccounts } from './demo-accounts.ts';
export {
  demoTrafficFlow,
  demoTrafficFlowKey,
  demoTrafficNumber,
  ensureDemoTrafficFlow,
} from './demo-flow.ts';
export { ApiSession } from './api-session.ts';
export type { FeedEvent } from './event-feed.ts';
export { EventFeed } from './event-feed.ts';
export type { CallRecord, TrafficSummary } from './call-log.ts';
export { formatSummary } from './call-log.ts';
export type { DemoHabits, DemoTrafficOptions, DemoTrafficResult } from './demo-traffic.ts';
export { defaultDemoHabits, runDemoTraffic } from './demo-traffic.ts';
