export { InProcessBus } from './in-process-bus.ts';
export type { EventBus, EventHandler } from './in-process-bus.ts';
