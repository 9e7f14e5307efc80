export type { ProvidedDatabaseContext } from './provided-context.ts';
