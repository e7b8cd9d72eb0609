// Sound output of the control page: an AudioContext playing the stream through the jitter
// buffer, in an AudioWorklet where the browser offers one (https, localhost) and otherwise in
// a ScriptProcessorNode on the main thread (plain http on a LAN name: browsers keep
// AudioWorklet for secure contexts). Master volume and mute ramp the output gain smoothly
// (a 15 ms time constant), so neither clicks.

import { JitterBuffer } from './jitter.js';

const RAMP_SEC = 0.015;

export class Player {
  /** @param {(stats: object) => void} onStats counters of the jitter buffer (frames), ~5 a second */
  constructor(onStats) {
    this.onStats = onStats;
    this.ctx = null;
    this.kind = 'none';
    this.node = null;
    this.buffer = null; // main-thread fallback only
    this.gain = null;
    this.volume = 1;
    this.muted = false;
    this.floorMs = 60;
  }

  get sampleRate() {
    return this.ctx ? this.ctx.sampleRate : 48000;
  }

  /** Create the audio graph (once); call from a user gesture so the browser lets it sound. */
  async open() {
    if (this.ctx) return;
    const Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) throw new Error('this browser has no Web Audio');
    try {
      this.ctx = new Ctx({ sampleRate: 48000, latencyHint: 'interactive' });
    } catch {
      this.ctx = new Ctx({ latencyHint: 'interactive' });
    }
    const ctx = this.ctx;
    this.gain = ctx.createGain();
    this.gain.gain.value = this.level();
    this.gain.connect(ctx.destination);
    const floorFrames = this.floorFrames();
    if (ctx.audioWorklet) {
      await ctx.audioWorklet.addModule('/ui/worklet.js');
      this.node = new AudioWorkletNode(ctx, 'omnisonic-stream', {
        numberOfInputs: 0,
        outputChannelCount: [2],
        processorOptions: { channels: 2, floorFrames },
      });
      this.node.port.onmessage = (e) => this.onStats(e.data);
      this.kind = 'worklet';
    } else {
      const buffer = new JitterBuffer({ channels: 2, sampleRate: ctx.sampleRate, floorFrames });
      const node = ctx.createScriptProcessor(1024, 0, 2);
      let last = 0;
      node.onaudioprocess = (e) => {
        const out = e.outputBuffer;
        buffer.render([out.getChannelData(0), out.getChannelData(1)], out.length);
        if (ctx.currentTime - last > 0.2) {
          last = ctx.currentTime;
          this.onStats(buffer.stats());
        }
      };
      this.buffer = buffer;
      this.node = node;
      this.kind = 'script-processor';
    }
    this.node.connect(this.gain);
  }

  floorFrames() {
    return Math.round((this.floorMs / 1000) * this.sampleRate);
  }

  async resume() {
    if (this.ctx && this.ctx.state !== 'running') await this.ctx.resume();
  }

  /** Queue interleaved stereo samples (the buffer is given away). */
  push(samples) {
    if (this.buffer) this.buffer.push(samples);
    else this.node?.port.postMessage(samples, [samples.buffer]);
  }

  /** Forget what is queued (a new stream begins). */
  flush() {
    if (this.buffer) this.buffer.flush();
    else this.node?.port.postMessage({ type: 'flush' });
  }

  /** The smallest jitter buffer in ms (it grows on underruns and comes back to this). */
  setFloor(ms) {
    this.floorMs = ms;
    if (!this.ctx) return;
    if (this.buffer) this.buffer.setFloor(this.floorFrames());
    else this.node?.port.postMessage({ type: 'floor', frames: this.floorFrames() });
  }

  level() {
    return this.muted ? 0 : this.volume;
  }

  ramp() {
    if (!this.gain) return;
    const p = this.gain.gain;
    const now = this.ctx.currentTime;
    p.cancelScheduledValues(now);
    p.setValueAtTime(p.value, now);
    p.setTargetAtTime(this.level(), now, RAMP_SEC);
  }

  /** Master volume, linear 0..1. */
  setVolume(v) {
    this.volume = v;
    this.ramp();
  }

  setMuted(m) {
    this.muted = m;
    this.ramp();
  }

  /** Seconds the output device adds after the buffer (0 when unknown). */
  outputLatency() {
    if (!this.ctx) return 0;
    return (this.ctx.outputLatency || 0) + (this.ctx.baseLatency || 0);
  }
}
