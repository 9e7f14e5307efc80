/** The value a transition function returns for a (state, trigger) pair that has no transition. */
export interface IllegalTransition<State extends string = string, Trigger extends string = string> {
  readonly kind: 'illegal-transition';
  readonly machine: 'agent-presence' | 'agent-activity' | 'contact-stage' | 'help-request';
  readonly from: State;
  readonly trigger: Trigger;
}
