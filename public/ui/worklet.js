// AudioWorklet of the control page: plays interleaved float32 chunks posted by the page through
// a small jitter buffer. It waits until `target` frames are queued before playing; when the
// queue runs dry it counts an underrun, plays silence, grows the target by a quarter (up to
// `ceiling`) and buffers again. A queue beyond `max` frames (the network caught up in a
// burst) is trimmed from the oldest so latency stays low.

class StreamPlayer extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const o = options.processorOptions || {};
    this.channels = o.channels || 2;
    this.target = o.targetFrames || 2880;
    this.max = o.maxFrames || this.target * 2;
    this.ceiling = o.ceilingFrames || sampleRate * 0.3;
    this.queue = [];
    this.offset = 0; // frames already played of queue[0]
    this.queued = 0; // frames in the queue
    this.playing = false;
    this.underruns = 0;
    this.trimmed = 0;
    this.played = 0;
    this.lastReport = 0;
    this.port.onmessage = (e) => {
      const m = e.data;
      if (m instanceof Float32Array) {
        this.queue.push(m);
        this.queued += m.length / this.channels;
        if (this.queued > this.max) this.trim();
      } else if (m && m.type === 'config') {
        if (m.targetFrames) this.target = m.targetFrames;
        if (m.maxFrames) this.max = m.maxFrames;
      } else if (m && m.type === 'flush') {
        this.queue = [];
        this.offset = 0;
        this.queued = 0;
        this.playing = false;
      }
    };
  }

  trim() {
    while (this.queued > this.target && this.queue.length > 1) {
      const first = this.queue.shift();
      const frames = first.length / this.channels - this.offset;
      this.queued -= frames;
      this.trimmed += frames;
      this.offset = 0;
    }
  }

  process(_inputs, outputs) {
    const out = outputs[0];
    const n = out[0].length;
    const ch = this.channels;
    if (!this.playing && this.queued >= this.target) {
      // (re)starting: begin at the target level, not with whatever piled up meanwhile
      this.playing = true;
      if (this.queued > this.target * 1.5) this.trim();
    }
    let i = 0;
    if (this.playing) {
      while (i < n && this.queue.length > 0) {
        const chunk = this.queue[0];
        const frames = chunk.length / ch;
        const take = Math.min(n - i, frames - this.offset);
        for (let c = 0; c < out.length; c++) {
          const src = Math.min(c, ch - 1);
          const dst = out[c];
          for (let k = 0; k < take; k++) dst[i + k] = chunk[(this.offset + k) * ch + src];
        }
        i += take;
        this.offset += take;
        this.queued -= take;
        if (this.offset >= frames) {
          this.queue.shift();
          this.offset = 0;
        }
      }
      if (i < n) {
        this.underruns++;
        this.playing = false;
        this.target = Math.min(this.ceiling, Math.round(this.target * 1.25));
        this.max = Math.max(this.max, this.target * 2);
      }
    }
    for (let c = 0; c < out.length; c++) out[c].fill(0, i);
    this.played += i;
    if (currentTime - this.lastReport > 0.2) {
      this.lastReport = currentTime;
      this.port.postMessage({
        buffered: this.queued,
        target: this.target,
        underruns: this.underruns,
        trimmed: this.trimmed,
        played: this.played,
        playing: this.playing,
      });
    }
    return true;
  }
}

registerProcessor('omnisonic-stream', StreamPlayer);
