// The control page's jitter buffer: a ring of interleaved float32 frames between the network and
// the sound card. It starts playing once `target` frames are queued, fading in over one block.
// An underrun (the ring runs dry) plays silence, counts, and grows the target by a quarter (up
// to `ceiling`). After `steadySec` without an underrun the target shrinks by a fifth, down to
// `floor`, and audio queued beyond the target is skipped with a crossfade over one block, so
// latency comes back down without a click. Used by the AudioWorklet and by the main-thread
// fallback (plain http on a LAN name, where browsers offer no AudioWorklet). No DOM, no
// allocation per block.

export class JitterBuffer {
  /**
   * @param {{ channels?: number, sampleRate: number, floorFrames: number, ceilingFrames?: number,
   *   steadySec?: number, capacitySec?: number }} o
   */
  constructor(o) {
    this.channels = o.channels ?? 2;
    this.sampleRate = o.sampleRate;
    this.floor = o.floorFrames;
    this.ceiling = o.ceilingFrames ?? Math.round(o.sampleRate * 0.5);
    this.target = this.floor;
    this.steadyFrames = Math.round((o.steadySec ?? 4) * o.sampleRate);
    const cap = Math.round((o.capacitySec ?? 4) * o.sampleRate);
    this.ring = new Float32Array(cap * this.channels);
    this.capacity = cap;
    this.read = 0; // frame index of the next frame to play (mod capacity)
    this.queued = 0;
    this.playing = false;
    this.underruns = 0;
    this.grows = 0;
    this.shrinks = 0;
    this.skipped = 0;
    this.overflow = 0;
    this.played = 0;
    this.sinceChange = 0;
  }

  /** Queue interleaved frames. */
  push(samples) {
    const ch = this.channels;
    let frames = samples.length / ch;
    let src = 0;
    if (frames > this.capacity) {
      src = (frames - this.capacity) * ch;
      frames = this.capacity;
    }
    const free = this.capacity - this.queued;
    if (frames > free) this.consume(frames - free, true);
    let w = (this.read + this.queued) % this.capacity;
    for (let i = 0; i < frames; i++) {
      const o = w * ch;
      for (let c = 0; c < ch; c++) this.ring[o + c] = samples[src + i * ch + c];
      w = w + 1 === this.capacity ? 0 : w + 1;
    }
    this.queued += frames;
  }

  /** Drop everything queued and buffer again (a new stream). */
  flush() {
    this.queued = 0;
    this.playing = false;
  }

  /** Set the smallest target (the user's setting); the target moves to it. */
  setFloor(frames) {
    this.floor = Math.max(1, Math.min(frames, this.ceiling));
    this.target = this.floor;
    this.sinceChange = 0;
  }

  consume(frames, overflow = false) {
    const n = Math.min(frames, this.queued);
    this.read = (this.read + n) % this.capacity;
    this.queued -= n;
    if (overflow) this.overflow += n;
  }

  /** Sample of channel `c`, `ahead` frames after the read position. */
  at(ahead, c) {
    return this.ring[((this.read + ahead) % this.capacity) * this.channels + c];
  }

  /**
   * Fill `out` (planar output channels, each `n` frames long) and return how many frames were
   * audio (the rest is silence).
   * @param {Float32Array[]} out
   * @param {number} n
   */
  render(out, n) {
    const ch = this.channels;
    let fadeIn = false;
    if (!this.playing && this.queued >= this.target) {
      this.playing = true;
      fadeIn = true; // (re)starting after silence: ramp up over this block
    }
    let got = 0;
    if (this.playing) {
      const excess = this.queued - n - this.target;
      const slack = Math.max(n, this.target >> 2);
      if (excess > slack && this.queued >= excess + 2 * n) {
        // skip `excess` frames: crossfade from the current position to the one after the skip
        for (let c = 0; c < out.length; c++) {
          const src = Math.min(c, ch - 1);
          const dst = out[c];
          for (let k = 0; k < n; k++) {
            const w = (k + 0.5) / n;
            dst[k] = this.at(k, src) * (1 - w) + this.at(excess + k, src) * w;
          }
        }
        this.consume(excess + n);
        this.skipped += excess;
        got = n;
      } else {
        got = Math.min(n, this.queued);
        for (let c = 0; c < out.length; c++) {
          const src = Math.min(c, ch - 1);
          const dst = out[c];
          for (let k = 0; k < got; k++) dst[k] = this.at(k, src);
        }
        this.consume(got);
        if (got < n) {
          this.underruns++;
          this.playing = false;
          const grown = Math.min(this.ceiling, Math.round(this.target * 1.25));
          if (grown > this.target) this.grows++;
          this.target = grown;
          this.sinceChange = 0;
        }
      }
    }
    for (let c = 0; c < out.length; c++) {
      out[c].fill(0, got);
      if (fadeIn) for (let k = 0; k < got; k++) out[c][k] *= (k + 0.5) / n;
    }
    this.played += got;
    if (this.playing) {
      this.sinceChange += n;
      if (this.sinceChange >= this.steadyFrames && this.target > this.floor) {
        this.target = Math.max(this.floor, Math.round(this.target * 0.8));
        this.shrinks++;
        this.sinceChange = 0;
      }
    }
    return got;
  }

  /** Counters for the page (frames). */
  stats() {
    return {
      buffered: this.queued,
      target: this.target,
      floor: this.floor,
      underruns: this.underruns,
      grows: this.grows,
      shrinks: this.shrinks,
      skipped: this.skipped,
      overflow: this.overflow,
      played: this.played,
      playing: this.playing,
    };
  }
}
