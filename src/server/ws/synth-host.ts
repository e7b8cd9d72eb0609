import { isOmniError } from '../../errors.js';
import type { MidiVoiceMaker } from './midi-voice.js';
import { SessionSynth, type SynthControl, type SynthOutput, type SynthSpec } from './synth.js';

/** Messages to a {@link SynthHost} (from the main thread). */
export type HostRequest =
  | { op: 'open'; sid: number; spec: SynthSpec }
  | { op: 'close'; sid: number }
  | { op: 'ctl'; sid: number; c: SynthControl }
  /** Flat triples: session id, blocks to render, 1 to compute viz summaries (else 0). */
  | { op: 'render'; jobs: number[] };

/** An error as it crosses threads. */
export interface WireError {
  code: string;
  message: string;
  field?: string;
  /** False for an unexpected error (a bug): the main thread logs it and tells the client INTERNAL. */
  known: boolean;
}

/** Messages from a {@link SynthHost}. */
export type HostReply =
  | { op: 'opened'; sid: number; channels: number; layers: number; fftSize: number | null }
  | { op: 'failed'; sid: number; error: WireError }
  | { op: 'error'; sid: number; error: WireError }
  | { op: 'out'; sids: number[]; outs: SynthOutput[] };

/** Post a reply, handing over the listed buffers (no copy across threads). */
export type Post = (msg: HostReply, transfer: ArrayBuffer[]) => void;

export function wireError(e: unknown): WireError {
  if (isOmniError(e))
    return { code: e.code, message: e.message, ...(e.field ? { field: e.field } : {}), known: true };
  return { code: 'INTERNAL', message: e instanceof Error ? (e.stack ?? e.message) : String(e), known: false };
}

/**
 * The sessions' synthesis in one thread: a worker thread holds one host with many sessions
 * (the main thread holds one only when workers are off). It applies each session's changes in
 * the order they come and answers every `render` request with one `out` message carrying all
 * the sessions' blocks, their audio buffers transferred.
 */
export class SynthHost {
  private readonly synths = new Map<number, SessionSynth>();
  private readonly post: Post;
  private readonly makeMidi: MidiVoiceMaker;

  constructor(post: Post, makeMidi: MidiVoiceMaker) {
    this.post = post;
    this.makeMidi = makeMidi;
  }

  /** Sessions held now. */
  get size(): number {
    return this.synths.size;
  }

  handle(msg: HostRequest): void {
    switch (msg.op) {
      case 'open': {
        let synth: SessionSynth;
        try {
          synth = new SessionSynth(msg.spec, this.makeMidi);
        } catch (e) {
          this.post({ op: 'failed', sid: msg.sid, error: wireError(e) }, []);
          return;
        }
        this.synths.set(msg.sid, synth);
        const { engine, fftSize } = synth;
        this.post(
          { op: 'opened', sid: msg.sid, channels: engine.channels, layers: engine.layerCount, fftSize },
          [],
        );
        return;
      }
      case 'close':
        this.synths.delete(msg.sid);
        return;
      case 'ctl': {
        const synth = this.synths.get(msg.sid);
        if (!synth) return;
        try {
          synth.apply(msg.c);
        } catch (e) {
          this.post({ op: 'error', sid: msg.sid, error: wireError(e) }, []);
        }
        return;
      }
      case 'render': {
        const jobs = msg.jobs;
        const sids: number[] = [];
        const outs: SynthOutput[] = [];
        const transfer: ArrayBuffer[] = [];
        for (let i = 0; i + 2 < jobs.length; i += 3) {
          const synth = this.synths.get(jobs[i]!);
          if (!synth) continue;
          let out: SynthOutput;
          try {
            out = synth.render(jobs[i + 1]!, jobs[i + 2] === 1);
          } catch (e) {
            this.synths.delete(jobs[i]!);
            this.post({ op: 'failed', sid: jobs[i]!, error: wireError(e) }, []);
            continue;
          }
          sids.push(jobs[i]!);
          outs.push(out);
          if (out.audio) transfer.push(out.audio);
        }
        if (sids.length > 0) this.post({ op: 'out', sids, outs }, transfer);
        return;
      }
    }
  }
}
