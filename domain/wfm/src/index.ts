export type { WfmErrorCode, WfmError } from './errors.ts';
export { wfmErrorCatalog } from './errors.ts';
export type { ErlangBInput } from './erlang-b.ts';
export { erlangB } from './erlang-b.ts';
export type { ErlangCInput, ErlangCMetrics } from './erlang-c.ts';
export { erlangC } from './erlang-c.ts';
export type { ErlangAInput, ErlangAMetrics } from './erlang-a.ts';
export { erlangA } from './erlang-a.ts';
export type { StaffingTarget, ErlangCStaffing, ErlangAStaffing } from './staffing.ts';
export {
  agentsForServiceLevel,
  agentsForServiceLevelWithAbandonment,
  offeredTrafficErlangs,
} from './staffing.ts';
