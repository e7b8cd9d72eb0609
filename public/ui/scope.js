// Oscilloscope of the control page: keeps the last received samples of both channels and draws
// a window of them, triggered on a rising zero crossing of the left channel so a steady tone
// stands still.

const RING = 8192;

export class Scope {
  /** @param {HTMLCanvasElement} canvas */
  constructor(canvas, windowFrames = 1024) {
    this.canvas = canvas;
    this.ctx = canvas.getContext('2d');
    this.n = windowFrames;
    this.left = new Float32Array(RING);
    this.right = new Float32Array(RING);
    this.write = 0;
    this.fresh = false;
    fitCanvas(canvas, () => this.draw());
  }

  /** Keep interleaved samples (`channels` per frame). */
  push(samples, channels) {
    const frames = samples.length / channels;
    for (let i = 0; i < frames; i++) {
      const w = (this.write + i) % RING;
      this.left[w] = samples[i * channels];
      this.right[w] = samples[i * channels + channels - 1];
    }
    this.write = (this.write + frames) % RING;
    this.fresh = true;
  }

  clear() {
    this.left.fill(0);
    this.right.fill(0);
    this.draw();
  }

  /** Draw if new samples came since the last frame (called from requestAnimationFrame). */
  tick() {
    if (!this.fresh) return;
    this.fresh = false;
    this.draw();
  }

  draw() {
    const { ctx, canvas, n } = this;
    const w = canvas.width;
    const h = canvas.height;
    const dpr = window.devicePixelRatio || 1;
    ctx.clearRect(0, 0, w, h);
    ctx.strokeStyle = '#2a3342';
    ctx.lineWidth = 1;
    for (const y of [0.25, 0.5, 0.75]) {
      ctx.beginPath();
      ctx.moveTo(0, Math.round(h * y) + 0.5);
      ctx.lineTo(w, Math.round(h * y) + 0.5);
      ctx.stroke();
    }
    // newest full window whose first sample is a rising zero crossing
    const end = this.write - n;
    let start = end;
    for (let back = 0; back < RING - 2 * n; back++) {
      const i = (end - back + 2 * RING) % RING;
      const prev = (i - 1 + RING) % RING;
      if (this.left[prev] < 0 && this.left[i] >= 0) {
        start = end - back;
        break;
      }
    }
    const trace = (data, color) => {
      ctx.strokeStyle = color;
      ctx.lineWidth = 1.5 * dpr;
      ctx.beginPath();
      for (let k = 0; k < n; k++) {
        const v = data[(start + k + 2 * RING) % RING];
        const x = (k / (n - 1)) * w;
        const y = h * 0.5 - v * h * 0.45;
        if (k === 0) ctx.moveTo(x, y);
        else ctx.lineTo(x, y);
      }
      ctx.stroke();
    };
    trace(this.right, '#7aa7ffaa');
    trace(this.left, '#5ee6c4');
    ctx.fillStyle = '#a3adbd';
    ctx.font = `${11 * dpr}px system-ui, sans-serif`;
    ctx.fillText('L', 6 * dpr, 14 * dpr);
    ctx.fillStyle = '#7aa7ff';
    ctx.fillText('R', 18 * dpr, 14 * dpr);
  }
}

/** Keep a canvas's pixel size equal to its CSS size times the pixel ratio; redraw on change. */
export function fitCanvas(canvas, draw) {
  const resize = () => {
    const r = canvas.getBoundingClientRect();
    if (r.width === 0) return;
    const dpr = window.devicePixelRatio || 1;
    canvas.width = Math.round(r.width * dpr);
    canvas.height = Math.round(r.height * dpr);
    draw();
  };
  new ResizeObserver(resize).observe(canvas);
  resize();
}
