import { Quantizer } from '../../dsp/quantize.js';
import { Engine } from '../../render/engine.js';
import type { LayerSpec, Scene } from '../../render/scene.js';
import type { MidiLayer, MidiVoiceMaker } from './midi-voice.js';
import type { AudioOptions, VizOptions } from './protocol.js';
import { Visualizer } from './viz.js';

/** Bytes of the binary frame header: uint32 seq, float64 first frame, uint32 frame count. */
export const HEADER_BYTES = 16;
/** Block rendered when the client asked for no audio (viz only), frames. */
export const VIZ_ONLY_BLOCK = 512;

/** What a session's synthesis is opened with (structured-cloneable: it crosses to a worker). */
export interface SynthSpec {
  scene: Scene;
  audio: AudioOptions | null;
  viz: VizOptions | null;
  /** 0..1: where in its period the first viz summary falls (sessions started together spread out). */
  vizPhase: number;
  /** Start the MIDI synthesizer with the session (`soundfont`: a bank the server knows). */
  midi?: { soundfont?: string };
}

/** A change to a running synthesis, applied before the next block (in the order sent). */
export type SynthControl =
  | { op: 'set'; layer: number; params: Record<string, number | string>; glide: number }
  | { op: 'add'; spec: LayerSpec }
  | { op: 'drop'; layer: number }
  | { op: 'midi'; data: number[] }
  | { op: 'stop'; fade: number };

/** What one render request produced. */
export interface SynthOutput {
  /** The binary frames, each starting at a multiple of 4 bytes (null without audio). */
  audio: ArrayBuffer | null;
  /** `viz` messages due in these blocks. */
  viz: string[];
  /** Viz summaries skipped because the client is behind. */
  vizSkipped: number;
  /** Frames rendered so far. */
  frame: number;
  /** True once the stream ended (after `stop`). */
  done: boolean;
}

/**
 * The synthesis of one live session, wherever it runs (a worker thread or the main thread):
 * an {@link Engine}, the wire encoding of its blocks (16-byte header, f32 or s16) and the viz
 * summaries. It knows nothing of sockets or time; {@link render} is asked for whole blocks.
 */
export class SessionSynth {
  readonly engine: Engine;
  readonly block: number;
  readonly fftSize: number | null;
  private readonly quantizer: Quantizer | null;
  private readonly viz: Visualizer | null;
  private readonly planar: Float64Array[];
  private readonly makeMidi: MidiVoiceMaker;
  private midi: MidiLayer | null = null;
  private seq = 0;

  constructor(spec: SynthSpec, makeMidi: MidiVoiceMaker) {
    this.engine = new Engine(spec.scene);
    const audio = spec.audio;
    this.block = audio?.blockSize ?? VIZ_ONLY_BLOCK;
    this.quantizer = audio
      ? new Quantizer({ format: audio.format, channels: audio.channels, dither: audio.format === 's16' })
      : null;
    this.planar = Array.from({ length: this.engine.channels }, () => this.engine.arena.f64(this.block));
    this.viz = spec.viz
      ? new Visualizer(this.engine.sampleRate, this.engine.channels, spec.viz, spec.vizPhase)
      : null;
    this.fftSize = this.viz?.fftSize ?? null;
    this.makeMidi = makeMidi;
    if (spec.midi) {
      this.midi = makeMidi(this.engine.sampleRate, spec.midi);
      this.engine.attach(this.midi);
    }
  }

  /** Apply one change from the next rendered frame. Throws an OmniError for a value the layer refuses. */
  apply(c: SynthControl): void {
    const engine = this.engine;
    switch (c.op) {
      case 'set':
        engine.set(c.layer, c.params, c.glide);
        return;
      case 'add':
        engine.add(c.spec);
        return;
      case 'drop':
        engine.remove(c.layer);
        return;
      case 'midi':
        if (!this.midi) {
          this.midi = this.makeMidi(engine.sampleRate);
          engine.attach(this.midi);
        }
        this.midi.handleMidi(c.data, engine.frame);
        return;
      case 'stop':
        engine.stop(c.fade);
        return;
    }
  }

  /** Render `blocks` blocks; `withViz` false skips the viz summaries due (the client is behind). */
  render(blocks: number, withViz: boolean): SynthOutput {
    const engine = this.engine;
    const q = this.quantizer;
    const stride = q ? align4(HEADER_BYTES + this.block * q.frameBytes) : 0;
    const audio = q && blocks > 0 && !engine.done ? new ArrayBuffer(stride * blocks) : null;
    const viz: string[] = [];
    let vizSkipped = 0;
    let offset = 0;
    for (let b = 0; b < blocks && !engine.done; b++) {
      const first = engine.frame;
      const n = engine.render(this.planar, this.block);
      if (n === 0) break;
      if (q && audio) {
        const view = new DataView(audio, offset, HEADER_BYTES);
        view.setUint32(0, this.seq, true);
        view.setFloat64(4, first, true);
        view.setUint32(12, n, true);
        q.encode(this.planar, n, new Uint8Array(audio, offset + HEADER_BYTES, n * q.frameBytes));
        this.seq = (this.seq + 1) >>> 0;
        offset += stride;
      }
      const v = this.viz;
      if (v) {
        v.push(this.planar, n);
        const end = first + n;
        if (v.due(end)) {
          if (withViz) viz.push(v.takeJson(end));
          else {
            v.skip(end);
            vizSkipped++;
          }
        }
      }
    }
    return { audio, viz, vizSkipped, frame: engine.frame, done: engine.done };
  }
}

/** `n` rounded up to a multiple of 4. */
export function align4(n: number): number {
  return (n + 3) & ~3;
}
