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

  it('chooses the log format by the terminal unless LOG_FORMAT says json or text', () => {
    expect(readConfig({}, '/').logFormat).toBe('auto');
    expect(readConfig({ LOG_FORMAT: 'json' }, '/').logFormat).toBe('json');
    expect(readConfig({ LOG_FORMAT: 'text' }, '/').logFormat).toBe('text');
  });

  it('prepares frequent statements unless CENTRALITA_DB_PREPARED_STATEMENTS is false', () => {
    expect(readConfig({}, '/').preparesStatements).toBe(true);
    expect(readConfig({ CENTRALITA_DB_PREPARED_STATEMENTS: 'false' }, '/').preparesStatements).toBe(false);
  });

  it('switches to an external PostgreSQL with DATABASE_URL', () => {
    expect(readConfig({ DATABASE_URL: 'postgres://app@db.internal:5432/centralita' }, '/').databaseUrl).toBe(
      'postgres://app@db.internal:5432/centralita',
    );
  });

  it('lists every invalid variable by name with what to do', () => {
    let caught: unknown;
    try {
      readConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud', LOG_FORMAT: 'pretty' }, '/');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const message = (caught as Error).message;
    expect(message).toMatch(/PORT:/);
    expect(message).toMatch(/DATABASE_URL: must be a postgres:\/\/ connection string/);
    expect(message).toMatch(/LOG_LEVEL:/);
    expect(message).toMatch(/LOG_FORMAT:/);
    expect(message).toMatch(/docs\/operations\.md/);
  });

  it('runs the media threads at nice -10 unless told otherwise, and names the variable when out of range', () => {
    expect(readConfig({}, '/').media.threadNice).toBe(-10);
    expect(readConfig({ CENTRALITA_MEDIA_NICE: '0' }, '/').media.threadNice).toBe(0);
    for (const wrong of ['-21', '20', 'high']) {
      expect(() => readConfig({ CENTRALITA_MEDIA_NICE: wrong }, '/')).toThrow(/CENTRALITA_MEDIA_NICE:/);
    }
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

  it('turns SIP over TLS on with a certificate and key, and reads the CA bundle and the client certificate policy', () => {
    expect(readConfig({}, '/').sip.tls).toBeUndefined();
    expect(
      readConfig(
        { CENTRALITA_SIP_TLS_CERT: 'tls/pbx.pem', CENTRALITA_SIP_TLS_KEY: '/etc/pbx/key.pem' },
        '/srv',
      ).sip.tls,
    ).toEqual({
      port: 5061,
      certPath: '/srv/tls/pbx.pem',
      keyPath: '/etc/pbx/key.pem',
      caPath: undefined,
      clientCertificates: 'off',
    });
    expect(
      readConfig(
        {
          CENTRALITA_SIP_TLS_PORT: '15061',
          CENTRALITA_SIP_TLS_CERT: 'pbx.pem',
          CENTRALITA_SIP_TLS_KEY: 'key.pem',
          CENTRALITA_SIP_TLS_CA: 'carriers.pem',
          CENTRALITA_SIP_TLS_CLIENT_CERT: 'require',
        },
        '/srv',
      ).sip.tls,
    ).toEqual({
      port: 15061,
      certPath: '/srv/pbx.pem',
      keyPath: '/srv/key.pem',
      caPath: '/srv/carriers.pem',
      clientCertificates: 'require',
    });
  });

  it('names the TLS variables that are wrong or missing their partners', () => {
    expect(() => readConfig({ CENTRALITA_SIP_TLS_CLIENT_CERT: 'always' }, '/')).toThrow(
      /CENTRALITA_SIP_TLS_CLIENT_CERT: must be off, request or require/,
    );
    expect(() => readConfig({ CENTRALITA_SIP_TLS_CERT: 'pbx.pem' }, '/')).toThrow(
      /CENTRALITA_SIP_TLS_KEY: must be set with CENTRALITA_SIP_TLS_CERT/,
    );
    expect(() => readConfig({ CENTRALITA_SIP_TLS_KEY: 'key.pem' }, '/')).toThrow(
      /CENTRALITA_SIP_TLS_CERT: must be set with CENTRALITA_SIP_TLS_KEY/,
    );
    expect(() =>
      readConfig({ CENTRALITA_SIP_TLS_CA: 'ca.pem', CENTRALITA_SIP_TLS_CLIENT_CERT: 'request' }, '/'),
    ).toThrow(
      /CENTRALITA_SIP_TLS_CA: needs CENTRALITA_SIP_TLS_CERT[\s\S]*CENTRALITA_SIP_TLS_CLIENT_CERT: needs CENTRALITA_SIP_TLS_CERT/,
    );
  });
});
