// Spectrum display of the control page: draws the log-spaced bands of `viz` messages on a
// canvas with a frequency grid, falling peak-hold, and the loudest band labelled.

const GRID_HZ = [50, 100, 200, 500, 1000, 2000, 5000, 10000];
const DB_MIN = -100;
const DB_MAX = 0;

export class SpectrumView {
  /** @param {HTMLCanvasElement} canvas */
  constructor(canvas) {
    this.canvas = canvas;
    this.ctx = canvas.getContext('2d');
    this.bands = null;
    this.freqs = null;
    this.hold = null;
    this.resize();
    new ResizeObserver(() => this.resize()).observe(canvas);
  }

  resize() {
    const r = this.canvas.getBoundingClientRect();
    const dpr = window.devicePixelRatio || 1;
    if (r.width === 0) return;
    this.canvas.width = Math.round(r.width * dpr);
    this.canvas.height = Math.round(r.height * dpr);
    this.draw();
  }

  /** New bands (dB) at centre frequencies `freqs` (Hz). */
  update(spectrum, freqs) {
    this.bands = spectrum;
    this.freqs = freqs;
    if (!this.hold || this.hold.length !== spectrum.length) this.hold = spectrum.slice();
    for (let i = 0; i < spectrum.length; i++) this.hold[i] = Math.max(spectrum[i], this.hold[i] - 1.2);
    this.draw();
  }

  clear() {
    this.bands = null;
    this.hold = null;
    this.draw();
  }

  x(hz) {
    const lo = Math.log(20);
    const hi = Math.log(20000);
    return ((Math.log(hz) - lo) / (hi - lo)) * this.canvas.width;
  }

  y(db) {
    const t = (Math.min(DB_MAX, Math.max(DB_MIN, db)) - DB_MIN) / (DB_MAX - DB_MIN);
    return this.canvas.height * (1 - t);
  }

  draw() {
    const { ctx, canvas } = this;
    const w = canvas.width;
    const h = canvas.height;
    const dpr = window.devicePixelRatio || 1;
    ctx.clearRect(0, 0, w, h);
    ctx.font = `${11 * dpr}px system-ui, sans-serif`;
    ctx.lineWidth = 1;
    ctx.strokeStyle = '#1d2430';
    ctx.fillStyle = '#5b6678';
    for (const hz of GRID_HZ) {
      const x = Math.round(this.x(hz)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(x, 0);
      ctx.lineTo(x, h);
      ctx.stroke();
      ctx.fillText(hz >= 1000 ? `${hz / 1000}k` : `${hz}`, x + 4 * dpr, h - 6 * dpr);
    }
    for (let db = -20; db > DB_MIN; db -= 20) {
      const y = Math.round(this.y(db)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(0, y);
      ctx.lineTo(w, y);
      ctx.stroke();
      ctx.fillText(`${db} dB`, 4 * dpr, y - 4 * dpr);
    }
    const bands = this.bands;
    const freqs = this.freqs;
    if (!bands || !freqs) return;
    const grad = ctx.createLinearGradient(0, 0, 0, h);
    grad.addColorStop(0, '#5ee6c4cc');
    grad.addColorStop(1, '#7aa7ff22');
    ctx.beginPath();
    ctx.moveTo(this.x(freqs[0]), h);
    for (let i = 0; i < bands.length; i++) ctx.lineTo(this.x(freqs[i]), this.y(bands[i]));
    ctx.lineTo(this.x(freqs[freqs.length - 1]), h);
    ctx.closePath();
    ctx.fillStyle = grad;
    ctx.fill();
    ctx.strokeStyle = '#5ee6c4';
    ctx.lineWidth = 1.5 * dpr;
    ctx.beginPath();
    for (let i = 0; i < bands.length; i++) {
      const x = this.x(freqs[i]);
      const y = this.y(bands[i]);
      if (i === 0) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
    }
    ctx.stroke();
    ctx.strokeStyle = '#ffffff55';
    ctx.lineWidth = 1 * dpr;
    ctx.beginPath();
    for (let i = 0; i < this.hold.length; i++) {
      const x = this.x(freqs[i]);
      const y = this.y(this.hold[i]);
      if (i === 0) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
    }
    ctx.stroke();
  }
}

/** Index of the loudest band. */
export function loudest(spectrum) {
  let k = 0;
  for (let i = 1; i < spectrum.length; i++) if (spectrum[i] > spectrum[k]) k = i;
  return k;
}
