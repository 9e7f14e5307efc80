import { randomFillSync } from 'node:crypto';

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * Random tokens for branches and tags. RFC 3261 §19.3 asks for tags that are globally unique and
 * cryptographically random (at least 32 bits); branches must be unique across space and time
 * (§8.1.1.7). Each token carries 72 random bits from a pool refilled from the CSPRNG, so the hot path
 * makes no system call per message.
 */
export class RandomTokens {
  readonly #pool = new Uint8Array(4096);
  #offset = this.#pool.length;

  /** Twelve URL-safe characters (72 bits). */
  next(): string {
    if (this.#offset + 12 > this.#pool.length) {
      randomFillSync(this.#pool);
      this.#offset = 0;
    }
    let token = '';
    for (let i = 0; i < 12; i++) token += alphabet.charAt((this.#pool[this.#offset + i] ?? 0) & 63);
    this.#offset += 12;
    return token;
  }
}
