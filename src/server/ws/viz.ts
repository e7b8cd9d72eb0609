import FFT from 'fft.js';
import type { VizOptions } from './protocol.js';

/** Lowest band edge of the spectrum, Hz. */
const F_MIN = 20;
/** Floor of the spectrum and the levels, dB. */
const FLOOR_DB = -120;

/** One `viz` message (without its type). */
export interface VizFrame {
  frame: number;
  rms: number[];
  peak: number[];
  spectrum: number[];
  freqs: number[];
}

/**
 * Level meters and a log-spaced spectrum of a session's output: it is fed every rendered block
 * and, `fps` times a second of audio, summarises the audio since the last summary (RMS and peak
 * per channel, linear) and the spectrum of the last `fftSize` samples (Hann window, dBFS: a
 * full-scale sine reads about 0 dB; for stereo the power mean of the two ears, so binaural
 * pairs show both tones instead of their beating mono sum), in `bins` bands from 20 Hz to
 * 20 kHz (or Nyquist). One complex FFT serves both ears (left as real part, right as
 * imaginary). Buffers are allocated once; {@link push} allocates nothing.
 *
 * @example
 * const viz = new Visualizer(48000, 2, { fps: 30, bins: 64 });
 * viz.push([left, right], 512, 0);
 * if (viz.due(512)) send(viz.take(512));
 */
export class Visualizer {
  readonly fftSize: number;
  readonly freqs: number[];
  private readonly channels: number;
  private readonly ringL: Float64Array;
  private readonly ringR: Float64Array;
  private ringPos = 0;
  /** Frames since the two channels last differed by more than 1e-6 (identical ears need only a real FFT). */
  private sameFor = 0;
  private readonly fft: FFT;
  private readonly window: Float64Array;
  private readonly input: Float64Array;
  private readonly out: number[];
  private readonly mags: Float64Array;
  /** Per band: first and last FFT bin (inclusive), or a fractional bin to interpolate when lo > hi. */
  private readonly bandLo: Int32Array;
  private readonly bandHi: Int32Array;
  private readonly bandCentreBin: Float64Array;
  private readonly sumSq: Float64Array;
  private readonly peaks: Float64Array;
  private count = 0;
  private nextFrame: number;
  private readonly period: number;
  private readonly freqsJson: string;
  /** Highest FFT bin any band reads. */
  private readonly topBin: number;

  /**
   * `phase` (0..1) delays the first summary by that fraction of a period, so that sessions
   * started together do not all compute their spectra in the same instant.
   */
  constructor(sampleRate: number, channels: number, opts: VizOptions, phase = 0) {
    this.channels = channels;
    let n = 1024;
    while (n < sampleRate / 24) n *= 2;
    this.fftSize = n;
    this.ringL = new Float64Array(n);
    this.ringR = new Float64Array(n);
    this.fft = new FFT(n);
    this.window = new Float64Array(n);
    for (let i = 0; i < n; i++) this.window[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n);
    this.input = new Float64Array(2 * n);
    this.out = this.fft.createComplexArray() as number[];
    this.mags = new Float64Array(n / 2 + 1);
    const bins = opts.bins;
    const fMax = Math.min(20000, sampleRate / 2);
    const binHz = sampleRate / n;
    this.bandLo = new Int32Array(bins);
    this.bandHi = new Int32Array(bins);
    this.bandCentreBin = new Float64Array(bins);
    this.freqs = [];
    const ratio = fMax / F_MIN;
    for (let b = 0; b < bins; b++) {
      const lo = F_MIN * ratio ** (b / bins);
      const hi = F_MIN * ratio ** ((b + 1) / bins);
      const centre = Math.sqrt(lo * hi);
      this.freqs.push(Math.round(centre * 10) / 10);
      this.bandLo[b] = Math.ceil(lo / binHz);
      this.bandHi[b] = Math.min(n / 2, Math.ceil(hi / binHz) - 1);
      this.bandCentreBin[b] = centre / binHz;
    }
    this.sumSq = new Float64Array(channels);
    this.peaks = new Float64Array(channels);
    this.freqsJson = JSON.stringify(this.freqs);
    let top = 1;
    for (let b = 0; b < bins; b++)
      top = Math.max(top, this.bandHi[b]!, Math.floor(this.bandCentreBin[b]!) + 1);
    this.topBin = Math.min(n / 2, top);
    this.period = sampleRate / opts.fps;
    this.nextFrame = Math.round(this.period * (1 + Math.min(Math.max(phase, 0), 1)));
  }

  /** Feed `frames` rendered frames (planar, one array per channel). */
  push(planar: Float64Array[], frames: number): void {
    const ch = this.channels;
    const ringL = this.ringL;
    const ringR = this.ringR;
    const size = ringL.length;
    let pos = this.ringPos;
    const a = planar[0]!;
    const b = ch > 1 ? planar[1]! : a;
    let same = this.sameFor;
    for (let i = 0; i < frames; i++) {
      const l = a[i]!;
      const r = b[i]!;
      ringL[pos] = l;
      ringR[pos] = r;
      same = Math.abs(l - r) <= 1e-6 ? same + 1 : 0;
      pos = pos + 1 === size ? 0 : pos + 1;
    }
    this.sameFor = same;
    this.ringPos = pos;
    for (let c = 0; c < ch; c++) {
      const x = planar[c]!;
      let s = this.sumSq[c]!;
      let p = this.peaks[c]!;
      for (let i = 0; i < frames; i++) {
        const v = x[i]!;
        s += v * v;
        const m = v < 0 ? -v : v;
        if (m > p) p = m;
      }
      this.sumSq[c] = s;
      this.peaks[c] = p;
    }
    this.count += frames;
  }

  /** True when a summary is due at output frame `frame` (the next frame to render). */
  due(frame: number): boolean {
    return frame >= this.nextFrame;
  }

  /** Skip the summary due now (slow client): reset the meters and schedule the next one. */
  skip(frame: number): void {
    this.reset(frame);
  }

  /** The summary due now, for audio up to output frame `frame`. */
  take(frame: number): VizFrame {
    const ch = this.channels;
    const rms: number[] = [];
    const peak: number[] = [];
    for (let c = 0; c < ch; c++) {
      rms.push(round4(this.count > 0 ? Math.sqrt(this.sumSq[c]! / this.count) : 0));
      peak.push(round4(this.peaks[c]!));
    }
    const spectrum = this.spectrum();
    this.reset(frame);
    return { frame, rms, peak, spectrum, freqs: this.freqs };
  }

  /** The summary due now as the text of a `viz` message (the same as JSON of {@link take}). */
  takeJson(frame: number): string {
    const v = this.take(frame);
    return `{"type":"viz","frame":${frame},"rms":[${v.rms.join(',')}],"peak":[${v.peak.join(',')}],"spectrum":[${v.spectrum.join(',')}],"freqs":${this.freqsJson}}`;
  }

  private reset(frame: number): void {
    this.sumSq.fill(0);
    this.peaks.fill(0);
    this.count = 0;
    while (this.nextFrame <= frame) this.nextFrame += this.period;
  }

  private spectrum(): number[] {
    const n = this.fftSize;
    const ringL = this.ringL;
    const ringR = this.ringR;
    const input = this.input;
    const w = this.window;
    let pos = this.ringPos;
    const out = this.out;
    const mags = this.mags;
    // Hann's coherent gain is 1/2, so a sine of amplitude A peaks at A * n / 4
    const scale = 4 / n;
    const top = this.topBin;
    if (this.sameFor >= n) {
      // both ears identical over the window: one real transform
      for (let i = 0; i < n; i++) {
        input[i] = ringL[pos]! * w[i]!;
        pos = pos + 1 === n ? 0 : pos + 1;
      }
      this.fft.realTransform(out, input as unknown as number[]);
      for (let k = 0; k <= top; k++) {
        const a = out[2 * k]!;
        const b = out[2 * k + 1]!;
        mags[k] = Math.sqrt(a * a + b * b) * scale;
      }
      return this.bands();
    }
    for (let i = 0; i < n; i++) {
      input[2 * i] = ringL[pos]! * w[i]!;
      input[2 * i + 1] = ringR[pos]! * w[i]!;
      pos = pos + 1 === n ? 0 : pos + 1;
    }
    this.fft.transform(out, input as unknown as number[]);
    // Z = L + iR: (|L[k]|^2 + |R[k]|^2) / 2 = (|Z[k]|^2 + |Z[n-k]|^2) / 4
    for (let k = 0; k <= top; k++) {
      const j = k === 0 ? 0 : n - k;
      const a = out[2 * k]!;
      const b = out[2 * k + 1]!;
      const c = out[2 * j]!;
      const d = out[2 * j + 1]!;
      mags[k] = Math.sqrt((a * a + b * b + c * c + d * d) * 0.25) * scale;
    }
    return this.bands();
  }

  /** The bands' levels in dB from the magnitudes of the last transform. */
  private bands(): number[] {
    const n = this.fftSize;
    const mags = this.mags;
    const bands: number[] = [];
    for (let b = 0; b < this.bandLo.length; b++) {
      const lo = this.bandLo[b]!;
      const hi = this.bandHi[b]!;
      let m = 0;
      if (lo <= hi) {
        for (let k = lo; k <= hi; k++) if (mags[k]! > m) m = mags[k]!;
      } else {
        const x = this.bandCentreBin[b]!;
        const k = Math.min(Math.floor(x), n / 2 - 1);
        const t = x - k;
        m = mags[k]! * (1 - t) + mags[k + 1]! * t;
      }
      bands.push(m > 0 ? Math.max(FLOOR_DB, Math.round(200 * Math.log10(m)) / 10) : FLOOR_DB);
    }
    return bands;
  }
}

function round4(x: number): number {
  return Math.round(x * 10000) / 10000;
}
