export type { SipTransportErrorCode } from './errors.ts';
export { sipTransportErrors } from './errors.ts';
export type {
  TransportProtocol,
  SendTarget,
  Flow,
  MessageSource,
  TransportFailureListener,
  SipTransportError,
  DiscardCode,
} from './transport-types.ts';
export { isReliableProtocol, defaultPort } from './transport-types.ts';
export type { SipLogger } from './logger.ts';
export { silentLogger } from './logger.ts';
export type { ConnectionLimits } from './transport-host.ts';
export { defaultConnectionLimits } from './transport-host.ts';
export type { TlsFiles, ClientCertificatePolicy } from './stream-listener.ts';
export type { StampedRequest } from './received-rport.ts';
export { stampReceivedAndRport } from './received-rport.ts';
export type { TransactionUser } from './transaction-user.ts';
export type {
  ServerTransaction,
  ServerTransactionFailure,
  ReplyOptions,
  ResponseRoute,
} from './server-transaction.ts';
export type {
  ClientTransaction,
  ClientTransactionFailure,
  ClientTransactionListener,
} from './client-transaction.ts';
export { buildCancel } from './client-transaction.ts';
export type { SipEndpointOptions, ListenOptions, SipListener, SipEndpointStats } from './sip-endpoint.ts';
export { SipEndpoint } from './sip-endpoint.ts';
export type { DnsLocatorOptions } from './dns-locator.ts';
export { DnsLocator } from './dns-locator.ts';
