import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Test support (not exported): the RFC 4475 and RFC 5118 torture messages of ../shared/sip-torture, beside
 * the repository. A missing folder is a broken checkout: loading fails loudly rather than skipping.
 */
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const corpusDir = path.resolve(repoRoot, '../shared/sip-torture');

/** The RFC 5118 copies whose Content-Length is stale once their bodies have CRLF line ends (see the README). */
const staleContentLength = new Set([
  'rfc5118/ipv4-mapped-ipv6.dat',
  'rfc5118/ipv6-in-sdp.dat',
  'rfc5118/mult-ip-in-sdp.dat',
]);

function withRecomputedContentLength(bytes: Buffer): Buffer {
  const end = bytes.indexOf('\r\n\r\n');
  const head = bytes.subarray(0, end).toString('latin1');
  const body = bytes.subarray(end + 4);
  const fixed = head.replace(/^Content-Length: *\d+$/im, `Content-Length: ${body.length}`);
  return Buffer.concat([Buffer.from(fixed, 'latin1'), Buffer.from('\r\n\r\n', 'latin1'), body]);
}

/** One corpus file: its bytes as they go on the wire, and its row of expectations.tsv. */
export interface TortureMessage {
  readonly file: string;
  readonly bytes: Buffer;
  /** RFC section, title, class and the expected behaviour, as expectations.tsv writes them. */
  readonly section: string;
  readonly rfcClass: string;
  readonly expectedBehaviour: string;
}

/** Every .dat file, bytes exact (Content-Length recomputed only where the README asks), in file order. */
export function loadTortureCorpus(): TortureMessage[] {
  if (!existsSync(corpusDir)) {
    throw new Error(`SIP torture corpus not found at ${corpusDir}: it must sit beside the repository`);
  }
  const rows = new Map(
    readFileSync(path.join(corpusDir, 'expectations.tsv'), 'utf8')
      .split('\n')
      .slice(1)
      .filter((line) => line.trim() !== '')
      .map((line) => line.split('\t'))
      .map((row) => [row[0] ?? '', row] as const),
  );
  const messages: TortureMessage[] = [];
  for (const folder of ['rfc4475', 'rfc4475-extra', 'rfc5118']) {
    for (const name of readdirSync(path.join(corpusDir, folder)).sort()) {
      if (!name.endsWith('.dat')) continue;
      const file = `${folder}/${name}`;
      const raw = readFileSync(path.join(corpusDir, folder, name));
      const row = rows.get(file);
      if (row === undefined) throw new Error(`${file} is not listed in expectations.tsv`);
      messages.push({
        file,
        bytes: staleContentLength.has(file) ? withRecomputedContentLength(raw) : raw,
        section: row[1] ?? '',
        rfcClass: row[3] ?? '',
        expectedBehaviour: row[5] ?? '',
      });
    }
  }
  return messages;
}
