import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from './config.ts';

describe('readConfig', () => {
  it('defaults to the embedded database under ./data and port 8080', () => {
    const config = readConfig({}, '/srv/centralita');
    expect(config).toMatchObject({
      httpPort: 8080,
      databaseUrl: undefined,
      dataDir: '/srv/centralita/data',
      seedDemo: 'if-empty',
      isCookieSecure: false,
    });
    expect(config.sessionIdleMs).toBe(12 * 3_600_000);
  });

  it('switches to an external PostgreSQL with DATABASE_URL', () => {
    expect(readConfig({ DATABASE_URL: 'postgres://app@db.internal:5432/centralita' }, '/').databaseUrl).toBe(
      'postgres://app@db.internal:5432/centralita',
    );
  });

  it('lists every invalid variable by name with what to do', () => {
    let caught: unknown;
    try {
      readConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' }, '/');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const message = (caught as Error).message;
    expect(message).toMatch(/PORT:/);
    expect(message).toMatch(/DATABASE_URL: must be a postgres:\/\/ connection string/);
    expect(message).toMatch(/LOG_LEVEL:/);
    expect(message).toMatch(/docs\/operations\.md/);
  });

  it('reads the DNS servers for trunk location, and names the variable when one is not an address', () => {
    expect(readConfig({}, '/').sip.dnsServers).toEqual([]);
    expect(
      readConfig({ CENTRALITA_SIP_DNS_SERVERS: '127.0.0.1:5353, 192.0.2.53,[::1]:5354,2001:db8::53' }, '/')
        .sip.dnsServers,
    ).toEqual(['127.0.0.1:5353', '192.0.2.53', '[::1]:5354', '2001:db8::53']);
    for (const wrong of ['dns.example', '127.0.0.1:99999', '[192.0.2.1]:53', '::1:53:x']) {
      expect(() => readConfig({ CENTRALITA_SIP_DNS_SERVERS: wrong }, '/')).toThrow(
        /CENTRALITA_SIP_DNS_SERVERS(\.\d+)?: must list DNS servers/,
      );
    }
  });
});
