import { nowMs } from '../clock.js';
/**
 * A small, fast, seeded pseudo-random generator (xoshiro128**, seeded through splitmix32).
 * Every random choice in OmniSonic comes from one of these, so a render with the same seed is
 * identical bit for bit.
 */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** @param seed any 32-bit integer; equal seeds give equal sequences. */
  constructor(seed: number) {
    let s = seed >>> 0;
    const next = (): number => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1;
  }

  /** Next 32-bit unsigned integer. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** Uniform number in [0, 1). */
  next(): number {
    return this.nextU32() / 4294967296;
  }

  /** Uniform number in [-1, 1). */
  bipolar(): number {
    return (this.nextU32() | 0) / 2147483648;
  }

  /** A new generator derived from this one (for an independent stream). */
  fork(): Rng {
    return new Rng(this.nextU32());
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** A seed for renders that did not ask for one: different every run. */
export function freshSeed(): number {
  return (Date.now() ^ (nowMs() * 1e6)) >>> 0;
}
