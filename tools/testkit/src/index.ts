export type { ProvidedDatabaseContext } from './provided-context.ts';
export { rtpPcap, rtpHeader, tonePcap, toneG711, dtmfPcap } from './rtp-pcap.ts';
export type { CapturedDatagram } from './pcap-reader.ts';
export { readPcapUdpDatagrams, receivedG711Audio } from './pcap-reader.ts';
export { PacketCapture } from './packet-capture.ts';
export type { SippPorts } from './test-phones.ts';
export { bindPhone, freeSippPorts, freeUdpPort } from './test-phones.ts';
export type { OwnDatabase } from './own-database.ts';
export { createOwnDatabase } from './own-database.ts';
export type { SippResult } from './sipp.ts';
export {
  runSippScenario,
  customerScenario,
  carrierScenario,
  agentPhoneScenario,
  sippPhoneArguments,
} from './sipp.ts';
export type { TestZone } from './dns-server.ts';
export { TestDnsServer } from './dns-server.ts';
export type { TestCertificate } from './test-certificates.ts';
export { TestCertificateAuthority } from './test-certificates.ts';
export { toneShare, toneSharesByChannel } from './recording-tone.ts';
