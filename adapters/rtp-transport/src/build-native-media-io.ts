import { buildNativeMediaIo } from './native-media-io.ts';

/**
 * `npm ci` runs this (the root package's postinstall): compiles the native media datagram path
 * (ADR 0009) so the first start does not have to. A machine without a C compiler or Node's headers
 * still installs: the engine then runs on Node's dgram and says why at start.
 */
process.stdout.write('media_io: building the native media datagram path ... ');
const built = buildNativeMediaIo();
if (built.ok) {
  process.stdout.write(`done (${built.value})\n`);
} else {
  process.stdout.write(`not built (${built.error}); media will use Node's dgram\n`);
}
