/** The only source of randomness domain code may use: uniform in [0, 1). */
export interface Random {
  next(): number;
}

/**
 * A seeded generator (mulberry32): the same seed gives the same sequence on every machine,
 * so a simulation or a property test can be replayed exactly. Not for secrets.
 */
export class SeededRandom implements Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}
