export { readConfig, ConfigError } from './config.ts';
export type { ServerConfig } from './config.ts';
export { startServer, createLogger, version } from './wiring.ts';
export type { RunningServer } from './wiring.ts';
export { connectDatabase } from './database-connection.ts';
export type { DatabaseConnection } from './database-connection.ts';
export { seedDemo, demoLogins, demoPassword, demoTenantSlug, isEmptyInstallation } from './demo-seed.ts';
export type { DemoLogin, DemoSeedResult } from './demo-seed.ts';
