export type { SipErrorCode } from './errors.ts';
export { sipErrors } from './errors.ts';

export type { Host } from './message/host.ts';
export { parseHost, serializeHost, hostAddress, isIpv4Address, isIpv6Address } from './message/host.ts';
export type { Uri, SipUri, OtherUri, UriParameter, UriHeader } from './message/uri.ts';
export {
  parseUri,
  serializeUri,
  unescapeUriComponent,
  uriParameter,
  hasUriParameter,
  uriEquals,
} from './message/uri.ts';
export type { Replaces } from './message/replaces.ts';
export { parseReplaces, referToReplaces } from './message/replaces.ts';
export type { Parameter } from './message/parameters.ts';
export { parameterValue, findParameter, hasParameter, serializeParameters } from './message/parameters.ts';
export type { NameAddress, ContactValue } from './message/name-address.ts';
export {
  parseNameAddress,
  parseNameAddressList,
  parseContact,
  serializeNameAddress,
} from './message/name-address.ts';
export type { Via } from './message/via.ts';
export {
  parseVia,
  serializeVia,
  viaBranch,
  viaReceived,
  viaRport,
  isRfc3261Branch,
  magicCookie,
} from './message/via.ts';
export type { CSeq, CoreHeaders } from './message/core-headers.ts';
export {
  parseCSeq,
  serializeCSeq,
  parseMaxForwards,
  parseCallId,
  readCoreHeaders,
  maxCSeq,
} from './message/core-headers.ts';
export { headerKey } from './message/header-names.ts';
export type { SipHeader, SipRequest, SipResponse, SipMessage } from './message/sip-message.ts';
export { headerValue, headerValues, withHeader, withoutHeader } from './message/sip-message.ts';
export type { SipParseError, PartialRequest } from './message/sip-parse-error.ts';
export type { Framing, ParseOptions, ParseResult } from './message/parse-message.ts';
export { parseMessage } from './message/parse-message.ts';
export { serializeMessage } from './message/serialize-message.ts';
export type { FramerLimits, FramerError, FramerOutput } from './message/stream-framer.ts';
export { StreamFramer, defaultFramerLimits } from './message/stream-framer.ts';
export type { UasPolicy, ReceiveContext, UasVerdict } from './message/classify-incoming.ts';
export { classifyIncoming, mediaType, optionTags, isAccepted } from './message/classify-incoming.ts';
export type { ResponseOptions } from './message/create-response.ts';
export { createResponse } from './message/create-response.ts';

export type {
  SessionDescription,
  MediaDescription,
  ConnectionData,
  SdpAttribute,
  SdpField,
  SdpOrigin,
  MediaDirection,
  RtpMap,
} from './sdp/session-description.ts';
export {
  mediaDirection,
  mediaConnection,
  rtpMap,
  formatParameters,
  packetTimeMs,
} from './sdp/session-description.ts';
export type { SdpError } from './sdp/parse-sdp.ts';
export { parseSdp } from './sdp/parse-sdp.ts';
export { serializeSdp } from './sdp/serialize-sdp.ts';
export type {
  AudioCodecName,
  LocalMediaCapabilities,
  NegotiatedAudio,
  OfferAnswer,
  NegotiationError,
} from './sdp/offer-answer.ts';
export { answerOffer, createOffer, acceptAnswer, answerDirection } from './sdp/offer-answer.ts';

export type {
  DigestAlgorithm,
  DigestChallenge,
  DigestCredentials,
  DigestHeaderError,
  AuthParams,
} from './digest/digest-header.ts';
export {
  parseAuthParams,
  parseDigestChallenge,
  parseDigestCredentials,
  serializeDigestChallenge,
  serializeDigestCredentials,
} from './digest/digest-header.ts';
export type { DigestResponseInput } from './digest/digest-response.ts';
export { computeDigestResponse, digestHa1, digestHash } from './digest/digest-response.ts';
export type { NonceInput, NonceReading } from './digest/digest-nonce.ts';
export { createNonce, readNonce } from './digest/digest-nonce.ts';
export type { DigestSecret, DigestVerificationInput, DigestVerification } from './digest/verify-digest.ts';
export { verifyDigest } from './digest/verify-digest.ts';
export type { ChallengeAnswerInput } from './digest/answer-challenge.ts';
export { answerChallenge } from './digest/answer-challenge.ts';

export type {
  TransactionTimerConfig,
  TransactionTimer,
  TransactionEffect,
  TransactionEvent,
  IllegalTransition,
  Transition,
  TransactionSettings,
} from './transaction/transaction-types.ts';
export { defaultTimerConfig } from './transaction/transaction-types.ts';
export type { InviteClientTransaction } from './transaction/invite-client-transaction.ts';
export { startInviteClient, nextInviteClient } from './transaction/invite-client-transaction.ts';
export type { NonInviteClientTransaction } from './transaction/non-invite-client-transaction.ts';
export { startNonInviteClient, nextNonInviteClient } from './transaction/non-invite-client-transaction.ts';
export type { InviteServerTransaction } from './transaction/invite-server-transaction.ts';
export {
  startInviteServer,
  nextInviteServer,
  tryingDelayMs,
} from './transaction/invite-server-transaction.ts';
export type { NonInviteServerTransaction } from './transaction/non-invite-server-transaction.ts';
export { startNonInviteServer, nextNonInviteServer } from './transaction/non-invite-server-transaction.ts';
export { buildAckForFailure } from './transaction/build-ack.ts';
export { transactionKey } from './transaction/transaction-key.ts';

export type { Dialog, DialogProblem, InDialogRequestOptions } from './dialog/dialog.ts';
export {
  dialogKey,
  receivedRequestDialogKey,
  tagOf,
  withTag,
  dialogAsUas,
  dialogAsUac,
  inDialogRequest,
  ackFor2xx,
  receiveInDialog,
  nextHopUri,
  isDialogHeader,
} from './dialog/dialog.ts';
export type { ContactTransport, LocalContactInput } from './dialog/local-contact.ts';
export { localContact, requiresSipsContact, unreachableContactHost } from './dialog/local-contact.ts';
export type {
  Refresher,
  SessionTimerDecision,
  SessionTimerPolicy,
  SessionTimerState,
} from './dialog/session-timer.ts';
export {
  answerSessionRefresh,
  defaultSessionTimerPolicy,
  minSeAfterTooSmall,
  negotiateSessionTimer,
  parseSessionExpires,
  sessionRefreshHeaders,
  sessionTimerDeadlines,
  sessionTimerOfAnswer,
  sessionTimerRequestHeaders,
} from './dialog/session-timer.ts';
export type { IncomingOfferRequest, OfferExchangeInProgress, OfferCollision } from './dialog/glare.ts';
export { nextGlareRetryDelayMs, offerCollision } from './dialog/glare.ts';
export type { SessionRefreshFailure, AfterSessionRefreshFailure } from './dialog/session-refresh.ts';
export {
  afterSessionRefreshFailure,
  minSessionRefreshRetryMs,
  refreshFailureOf,
} from './dialog/session-refresh.ts';

export type {
  LocatedTransport,
  ServerTarget,
  ServerToLocate,
  LocationPolicy,
  DnsQuery,
  DnsAnswer,
  DnsAnswers,
  NaptrRecord,
  SrvRecord,
  LocationStep,
} from './location/server-location.ts';
export {
  locateServer,
  orderSrvRecords,
  dnsQueryKey,
  srvName,
  defaultPortOf,
  defaultLocationPolicy,
} from './location/server-location.ts';
export type { TargetOutcome, TargetAttempt, FailoverDecision } from './location/server-failover.ts';
export { failoverAfter } from './location/server-failover.ts';
export type { OverloadLimits, OverloadState, AdmissionVerdict } from './server-policy/overload-guard.ts';
export { admitNewInvite, startOverloadGuard } from './server-policy/overload-guard.ts';
export type { AuthFailurePolicy } from './server-policy/source-blocker.ts';
export { SourceBlocker } from './server-policy/source-blocker.ts';
export type {
  BindingChanges,
  RegistrarRefusal,
  RegistrationLimits,
  RegistrationRequest,
  RequestedContact,
  StoredBinding,
  FlowKey,
  BindingToRemove,
} from './server-policy/registration.ts';
export {
  listsOptionTag,
  planBindingChanges,
  readDeltaSeconds,
  readRegistration,
} from './server-policy/registration.ts';
export type {
  StunAddress,
  StunBindingRequest,
  StunDecodeFailure,
  StunDecodeResult,
} from './stun/stun-binding.ts';
export {
  answerStunBindingRequest,
  decodeStunBindingRequest,
  encodeBindingSuccess,
  encodeUnknownAttributes,
  ipAddressOctets,
  isStunMessage,
  stunMagicCookie,
} from './stun/stun-binding.ts';
