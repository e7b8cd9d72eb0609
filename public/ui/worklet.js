// AudioWorklet of the control page: plays the interleaved float32 chunks the page posts through
// the jitter buffer of jitter.js, and reports its counters five times a second.

import { JitterBuffer } from './jitter.js';

class StreamPlayer extends AudioWorkletProcessor {
  constructor(options) {
    const o = options.processorOptions || {};
    super();
    this.buffer = new JitterBuffer({
      channels: o.channels || 2,
      sampleRate,
      floorFrames: o.floorFrames || 2880,
    });
    this.lastReport = 0;
    this.port.onmessage = (e) => {
      const m = e.data;
      if (m instanceof Float32Array) this.buffer.push(m);
      else if (m?.type === 'floor') this.buffer.setFloor(m.frames);
      else if (m?.type === 'flush') this.buffer.flush();
    };
  }

  process(_inputs, outputs) {
    const out = outputs[0];
    this.buffer.render(out, out[0].length);
    if (currentTime - this.lastReport > 0.2) {
      this.lastReport = currentTime;
      this.port.postMessage(this.buffer.stats());
    }
    return true;
  }
}

registerProcessor('omnisonic-stream', StreamPlayer);
