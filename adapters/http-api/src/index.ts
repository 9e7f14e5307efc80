export { buildHttpApi } from './app.ts';
export type { HttpApi, HttpApiDependencies } from './app.ts';
export { sessionCookieName } from './routes/auth-routes.ts';
export { hashPassword, verifyPassword, minimumPasswordLength } from './passwords.ts';
export { permissions, grantedRoles, isAllowed, permissionsOf } from './permissions.ts';
export type { Permission, RouteAccess } from './permissions.ts';
export { httpErrorCodes } from './errors.ts';
export type { HttpErrorCode } from './errors.ts';
export { defaultLoginThrottlePolicy, lockDurationMs } from './login-throttle.ts';
export type { LoginThrottlePolicy } from './login-throttle.ts';
export { credentialsEndedCloseCode } from './live-connections.ts';
export type {
  RoutingPort,
  AgentStateView,
  QueueStatsView,
  PresenceView,
  RoutingRefusal,
  WorkItemView,
  HelpRequestView,
} from './routing-port.ts';
export type {
  CallControlPort,
  CallAction,
  RecordingAction,
  CallControlRefusal,
  CallTransferTarget,
  CompanionRequest,
  LiveCallView,
  LiveCompanionView,
  PlaceCallRefusal,
  PlaceCallTarget,
} from './call-control-port.ts';
