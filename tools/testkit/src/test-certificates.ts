import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A certificate and its key as PEM files, and the certificate's bytes. */
export interface TestCertificate {
  readonly certPath: string;
  readonly keyPath: string;
  readonly cert: Buffer;
  readonly key: Buffer;
}

function openssl(args: readonly string[]): void {
  try {
    execFileSync('openssl', args, { stdio: 'pipe' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(
      code === 'ENOENT'
        ? 'openssl is not installed: the TLS tests need it'
        : `openssl failed: ${String(error)}`,
    );
  }
}

function certificateAt(certPath: string, keyPath: string): TestCertificate {
  return { certPath, keyPath, cert: readFileSync(certPath), key: readFileSync(keyPath) };
}

/**
 * A certificate authority for tests, made with openssl in a temporary directory (P-256 keys, valid one
 * day): `issue` signs certificates for servers and clients, with the names and addresses given.
 */
export class TestCertificateAuthority {
  readonly #dir: string;
  readonly #serial = { next: 1 };
  readonly certificate: TestCertificate;

  private constructor(dir: string, certificate: TestCertificate) {
    this.#dir = dir;
    this.certificate = certificate;
  }

  /** A new CA named `name` (its subject CN). */
  static create(name = 'Centralita Test CA'): TestCertificateAuthority {
    const dir = mkdtempSync(path.join(tmpdir(), 'centralita-ca-'));
    const certPath = path.join(dir, 'ca.pem');
    const keyPath = path.join(dir, 'ca-key.pem');
    openssl([
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyPath,
      '-out',
      certPath,
      '-days',
      '1',
      '-subj',
      `/CN=${name}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    return new TestCertificateAuthority(dir, certificateAt(certPath, keyPath));
  }

  /**
   * A certificate signed by this CA for `commonName`, with `dnsNames` and `ipAddresses` as its subject
   * alternative names; usable by TLS servers and clients alike.
   */
  issue(
    commonName: string,
    names: { readonly dnsNames?: readonly string[]; readonly ipAddresses?: readonly string[] } = {},
  ): TestCertificate {
    const serial = this.#serial.next++;
    const base = path.join(this.#dir, `issued-${String(serial)}`);
    const keyPath = `${base}-key.pem`;
    const requestPath = `${base}.csr`;
    const certPath = `${base}.pem`;
    const extensionsPath = `${base}.ext`;
    const alternatives = [
      ...(names.dnsNames ?? []).map((name) => `DNS:${name}`),
      ...(names.ipAddresses ?? []).map((address) => `IP:${address}`),
    ];
    openssl([
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyPath,
      '-out',
      requestPath,
      '-subj',
      `/CN=${commonName}`,
    ]);
    const extensions = [
      'basicConstraints=CA:FALSE',
      'keyUsage=digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth,clientAuth',
      ...(alternatives.length === 0 ? [] : [`subjectAltName=${alternatives.join(',')}`]),
    ];
    writeFileSync(extensionsPath, `${extensions.join('\n')}\n`);
    openssl([
      'x509',
      '-req',
      '-in',
      requestPath,
      '-CA',
      this.certificate.certPath,
      '-CAkey',
      this.certificate.keyPath,
      '-set_serial',
      String(serial),
      '-days',
      '1',
      '-out',
      certPath,
      '-extfile',
      extensionsPath,
    ]);
    return certificateAt(certPath, keyPath);
  }
}
