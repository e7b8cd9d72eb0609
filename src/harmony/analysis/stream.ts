/**
 * Analysis of audio that arrives block by block (a WAV file as it is read or uploaded), with the
 * result `analyzeAudio` gives for the same samples held whole, in memory that does not grow
 * with the length when the length is known up front:
 * - validation and the silence check keep the peak, two "on the 8/16-bit grid" flags and the
 *   first non-finite sample of each channel;
 * - loudness runs block by block ({@link LoudnessMeter});
 * - the averaged spectrum and YIN need frames of the mono mix at positions that depend on the
 *   length. With the length known, the positions are computed up front and each frame is taken,
 *   once its samples have arrived, from a ring of the latest samples (at most 65536); frames are
 *   added in the order the whole-file analysis adds them, so the sums are the same.
 *   With the length unknown (a WAV streamed with no data size, an upload of unknown length that
 *   may be cut short), the mono mix is kept whole as 32-bit floats (4 bytes a frame, what
 *   `monoMix` holds too) and measured at the end.
 */
import { HarmonyError } from '../errors.js';
import {
  type AnalysisResult,
  type AnalyzeOptions,
  describeSilence,
  interpretMeasurements,
  spectrumSize,
} from './analyze.js';
import { LoudnessMeter } from './loudness.js';
import { averagedSpectrum, WelchAverage, welchOffsets } from './spectrum.js';
import { type YinPlan, YinVotes, yinPitch, yinPlan } from './yin.js';

/** What a stream of audio is, known from its header before its samples. */
export interface StreamFormat {
  readonly sampleRate: number;
  readonly channels: number;
  /** Samples per channel the stream will hold, when known for certain (else the mono mix is kept). */
  readonly frames?: number | undefined;
}

/** The frames of the spectrum and of YIN, taken from a ring of the latest mono samples. */
interface FramePlan {
  readonly frames: number;
  readonly welch: WelchAverage;
  readonly offsets: readonly number[];
  readonly size: number;
  readonly yin: YinPlan | null;
  readonly votes: YinVotes | null;
  readonly ring: Float32Array;
  readonly frame: Float32Array;
  nextSpectrum: number;
  nextYin: number;
}

/**
 * The streaming counterpart of `analyzeAudio`: `add` each block of samples (one 32-bit
 * array per channel, all the same length), then `finish` for the result.
 *
 * @example
 * const a = new AnalysisStream({ sampleRate: 48000, channels: 2, frames: 96000 });
 * a.add([left.subarray(0, 48000), right.subarray(0, 48000)]);
 * a.add([left.subarray(48000), right.subarray(48000)]);
 * a.finish().notes;
 */
export class AnalysisStream {
  readonly sampleRate: number;
  readonly channels: number;
  private readonly rateOk: boolean;
  private readonly loudness: LoudnessMeter | null;
  private readonly plan: FramePlan | null;
  /** The mono mix when the length is not known. */
  private mono: Float32Array | null = null;
  private n = 0;
  private mixed = new Float32Array(0);
  private peak = 0;
  private onGrid16 = true;
  private onGrid8 = true;
  /** Per channel, the first sample that is not a finite number (-1: none yet). */
  private readonly firstBad: number[];

  constructor(
    format: StreamFormat,
    private readonly options: AnalyzeOptions = {},
  ) {
    const { sampleRate, channels, frames } = format;
    this.sampleRate = sampleRate;
    this.channels = channels;
    this.firstBad = new Array<number>(channels).fill(-1);
    // a rate analyzeAudio refuses is refused at the end, after the checks that come first; nothing
    // is measured meanwhile
    this.rateOk = Number.isFinite(sampleRate) && sampleRate >= 1000 && sampleRate <= 768000;
    this.loudness = this.rateOk && channels > 0 ? new LoudnessMeter(channels, sampleRate) : null;
    if (!this.rateOk || channels === 0) this.plan = null;
    else if (frames !== undefined && frames > 0) {
      const size = spectrumSize(frames, sampleRate);
      const yin = yinPlan(frames, sampleRate);
      const span = Math.max(size, yin?.frameLen ?? 0);
      this.plan = {
        frames,
        welch: new WelchAverage(size),
        offsets: welchOffsets(frames, size),
        size,
        yin,
        votes: yin ? new YinVotes(yin, sampleRate) : null,
        ring: new Float32Array(span),
        frame: new Float32Array(span),
        nextSpectrum: 0,
        nextYin: 0,
      };
    } else {
      this.plan = null;
      this.mono = new Float32Array(1 << 16);
    }
  }

  /** Samples per channel added so far. */
  get frames(): number {
    return this.n;
  }

  /** The next block of samples: one array per channel, all the same length. */
  add(block: ReadonlyArray<Float32Array>): void {
    if (block.length !== this.channels)
      throw new HarmonyError('BAD_AUDIO', `a block of ${block.length} channels in audio of ${this.channels}`);
    const frames = block[0]?.length ?? 0;
    if (frames === 0) return;
    for (const ch of block) {
      if (ch.length !== frames) throw new HarmonyError('BAD_AUDIO', 'channels have different lengths');
    }
    if (this.plan && this.n + frames > this.plan.frames)
      throw new Error(`audio announced as ${this.plan.frames} frames runs longer`);
    this.check(block);
    if (this.rateOk) {
      const mono = this.mix(block);
      if (this.plan) this.feed(this.plan, mono);
      else this.keep(mono);
      this.loudness?.add(block);
    }
    this.n += frames;
  }

  /** `silenceReason` of everything added. */
  silenceReason(): string | null {
    return describeSilence(this.peak, (steps) => (steps === 128 ? this.onGrid8 : this.onGrid16));
  }

  /**
   * The analysis of everything added: what `analyzeAudio` returns for the same samples.
   *
   * @throws HarmonyError `BAD_AUDIO` (no samples, bad rate, non-finite samples) or `SILENT_AUDIO`
   */
  finish(): AnalysisResult {
    const { sampleRate, n } = this;
    // the checks of analyzeAudio's validation, in its order
    if (!this.rateOk)
      throw new HarmonyError('BAD_AUDIO', `sample rate must be 1000..768000 Hz, got ${sampleRate}`);
    if (this.channels === 0) throw new HarmonyError('BAD_AUDIO', 'audio has no channels');
    if (n === 0) throw new HarmonyError('BAD_AUDIO', 'audio has no samples');
    const bad = this.firstBad.find((i) => i >= 0);
    if (bad !== undefined) throw new HarmonyError('BAD_AUDIO', `sample ${bad} is not a finite number`);
    const silent = this.silenceReason();
    if (silent) throw new HarmonyError('SILENT_AUDIO', `the audio is silent (${silent})`);
    let spec: ReturnType<WelchAverage['finish']>;
    let pitch: ReturnType<YinVotes['finish']>;
    if (this.plan) {
      if (n !== this.plan.frames)
        throw new Error(`audio announced as ${this.plan.frames} frames ended after ${n}`);
      spec = this.plan.welch.finish(sampleRate);
      pitch = this.plan.votes?.finish() ?? null;
    } else {
      const mono = this.mono!.subarray(0, n);
      this.mono = null;
      spec = averagedSpectrum(mono, sampleRate, spectrumSize(n, sampleRate));
      pitch = yinPitch(mono, sampleRate);
    }
    return interpretMeasurements(
      { spec, pitch, loudness: this.loudness!.finish(), frames: n, sampleRate, channels: this.channels },
      this.options,
    );
  }

  /** The silence and finiteness checks of the samples. */
  private check(block: ReadonlyArray<Float32Array>): void {
    let peak = this.peak;
    let grid16 = this.onGrid16;
    let grid8 = this.onGrid8;
    for (let c = 0; c < block.length; c++) {
      const ch = block[c]!;
      for (let i = 0; i < ch.length; i++) {
        const x = ch[i]!;
        const v = Math.abs(x);
        if (v > peak) peak = v;
        // the tests of silenceReason, sample by sample
        if (grid16) {
          const q = x * 32768;
          if (Math.abs(q - Math.round(q)) > 1e-6) grid16 = false;
        }
        if (grid8) {
          const q = x * 128;
          if (Math.abs(q - Math.round(q)) > 1e-6) grid8 = false;
        }
        if (!Number.isFinite(x) && this.firstBad[c] === -1) this.firstBad[c] = this.n + i;
      }
    }
    this.peak = peak;
    this.onGrid16 = grid16;
    this.onGrid8 = grid8;
  }

  /** The block's mono mix, as `monoMix` computes it (a single channel is its own mix). */
  private mix(block: ReadonlyArray<Float32Array>): Float32Array {
    if (block.length === 1) return block[0]!;
    const frames = block[0]!.length;
    // reused from block to block (the mix is used before the next block comes)
    if (this.mixed.length < frames) this.mixed = new Float32Array(frames);
    const out = this.mixed.subarray(0, frames);
    const g = 1 / block.length;
    for (let i = 0; i < frames; i++) {
      let sum = 0;
      for (const ch of block) sum += ch[i]!;
      out[i] = sum * g;
    }
    return out;
  }

  /** Keeps the mono mix (length unknown). */
  private keep(mono: Float32Array): void {
    let kept = this.mono!;
    if (this.n + mono.length > kept.length) {
      const bigger = new Float32Array(Math.max(kept.length * 2, this.n + mono.length));
      bigger.set(kept.subarray(0, this.n));
      kept = bigger;
      this.mono = kept;
    }
    kept.set(mono, this.n);
  }

  /** Writes mono samples into the ring, taking each planned frame as soon as its last sample is in. */
  private feed(p: FramePlan, mono: Float32Array): void {
    const cap = p.ring.length;
    let pos = this.n;
    let i = 0;
    while (i < mono.length) {
      const end = Math.min(this.nextFrameEnd(p), pos + mono.length - i);
      while (pos < end) {
        const at = pos % cap;
        const run = Math.min(end - pos, cap - at);
        p.ring.set(mono.subarray(i, i + run), at);
        pos += run;
        i += run;
      }
      this.takeFrames(p, pos);
    }
  }

  /** Where the next planned frame ends (Infinity when none is left). */
  private nextFrameEnd(p: FramePlan): number {
    let end = Number.POSITIVE_INFINITY;
    if (p.nextSpectrum < p.offsets.length) end = Math.min(p.offsets[p.nextSpectrum]! + p.size, p.frames);
    if (p.yin && p.nextYin < p.yin.starts.length)
      end = Math.min(end, p.yin.starts[p.nextYin]! + p.yin.frameLen);
    return end;
  }

  /** Adds the frames that end at `pos` (their samples are the latest in the ring). */
  private takeFrames(p: FramePlan, pos: number): void {
    while (p.nextSpectrum < p.offsets.length) {
      const start = p.offsets[p.nextSpectrum]!;
      if (Math.min(start + p.size, p.frames) !== pos) break;
      p.welch.add(this.copyFrame(p, start, pos));
      p.nextSpectrum++;
    }
    while (p.yin && p.nextYin < p.yin.starts.length) {
      const start = p.yin.starts[p.nextYin]!;
      if (start + p.yin.frameLen !== pos) break;
      p.votes!.add(this.copyFrame(p, start, pos));
      p.nextYin++;
    }
  }

  /** Samples [start, end) from the ring, in order. */
  private copyFrame(p: FramePlan, start: number, end: number): Float32Array {
    const cap = p.ring.length;
    const at = start % cap;
    const len = end - start;
    const first = Math.min(len, cap - at);
    p.frame.set(p.ring.subarray(at, at + first), 0);
    if (first < len) p.frame.set(p.ring.subarray(0, len - first), first);
    return p.frame.subarray(0, len);
  }
}
