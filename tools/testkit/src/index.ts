export type { ProvidedDatabaseContext } from './provided-context.ts';
export { rtpPcap, rtpHeader, tonePcap, dtmfPcap } from './rtp-pcap.ts';
