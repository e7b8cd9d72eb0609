// Spectrum display of the control page: draws the log-spaced bands of `viz` messages on a
// canvas with a log frequency axis (Hz below, the C of every octave above), a falling
// peak-hold line, and the loudest band named as a note.

import { nearestNote } from './notes.js';
import { fitCanvas } from './scope.js';

const GRID_HZ = [50, 100, 200, 500, 1000, 2000, 5000, 10000];
const C_NOTES = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((o) => ({
  name: `C${o}`,
  hz: 440 * 2 ** ((12 * (o + 1) - 69) / 12),
}));
const DB_MIN = -100;
const DB_MAX = 0;
const LO = Math.log(20);
const HI = Math.log(20000);

export class SpectrumView {
  /** @param {HTMLCanvasElement} canvas */
  constructor(canvas) {
    this.canvas = canvas;
    this.ctx = canvas.getContext('2d');
    this.bands = null;
    this.freqs = null;
    this.hold = null;
    fitCanvas(canvas, () => this.draw());
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
    return ((Math.log(hz) - LO) / (HI - LO)) * this.canvas.width;
  }

  y(db) {
    const t = (Math.min(DB_MAX, Math.max(DB_MIN, db)) - DB_MIN) / (DB_MAX - DB_MIN);
    return this.canvas.height * (1 - t);
  }

  grid(dpr) {
    const { ctx, canvas } = this;
    const w = canvas.width;
    const h = canvas.height;
    ctx.font = `${11 * dpr}px system-ui, sans-serif`;
    ctx.lineWidth = 1;
    ctx.strokeStyle = '#222a36';
    ctx.fillStyle = '#a3adbd';
    for (const hz of GRID_HZ) {
      const x = Math.round(this.x(hz)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(x, 0);
      ctx.lineTo(x, h);
      ctx.stroke();
      ctx.fillText(hz >= 1000 ? `${hz / 1000}k` : `${hz}`, x + 3 * dpr, h - 5 * dpr);
    }
    ctx.strokeStyle = '#2f3a4a';
    ctx.setLineDash([2 * dpr, 4 * dpr]);
    ctx.fillStyle = '#8fd9c6';
    for (const { name, hz } of C_NOTES) {
      if (hz < 20 || hz > 20000) continue;
      const x = Math.round(this.x(hz)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(x, 16 * dpr);
      ctx.lineTo(x, h - 18 * dpr);
      ctx.stroke();
      ctx.fillText(name, x + 3 * dpr, 12 * dpr);
    }
    ctx.setLineDash([]);
    ctx.strokeStyle = '#222a36';
    ctx.fillStyle = '#a3adbd';
    for (let db = -20; db > DB_MIN; db -= 20) {
      const y = Math.round(this.y(db)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(0, y);
      ctx.lineTo(w, y);
      ctx.stroke();
      ctx.fillText(`${db} dB`, 4 * dpr, y - 4 * dpr);
    }
  }

  line(values, close) {
    const { ctx, freqs } = this;
    ctx.beginPath();
    if (close) ctx.moveTo(this.x(freqs[0]), this.canvas.height);
    for (let i = 0; i < values.length; i++) {
      const x = this.x(freqs[i]);
      const y = this.y(values[i]);
      if (i === 0 && !close) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
    }
    if (close) {
      ctx.lineTo(this.x(freqs[freqs.length - 1]), this.canvas.height);
      ctx.closePath();
    }
  }

  draw() {
    const { ctx, canvas } = this;
    const dpr = window.devicePixelRatio || 1;
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    this.grid(dpr);
    const { bands, freqs } = this;
    if (!bands || !freqs) return;
    const grad = ctx.createLinearGradient(0, 0, 0, canvas.height);
    grad.addColorStop(0, '#5ee6c4cc');
    grad.addColorStop(1, '#7aa7ff22');
    this.line(bands, true);
    ctx.fillStyle = grad;
    ctx.fill();
    ctx.strokeStyle = '#5ee6c4';
    ctx.lineWidth = 1.5 * dpr;
    this.line(bands, false);
    ctx.stroke();
    ctx.strokeStyle = '#ffffff66';
    ctx.lineWidth = dpr;
    this.line(this.hold, false);
    ctx.stroke();
    const k = loudest(bands);
    if (bands[k] > -90) {
      const x = this.x(freqs[k]);
      const label = `≈ ${Math.round(freqs[k])} Hz · ${nearestNote(freqs[k]).label}`;
      ctx.fillStyle = '#e6ebf2';
      ctx.font = `600 ${12 * dpr}px system-ui, sans-serif`;
      const tw = ctx.measureText(label).width;
      ctx.fillText(
        label,
        Math.min(canvas.width - tw - 4 * dpr, x + 6 * dpr),
        Math.max(30 * dpr, this.y(bands[k]) - 6 * dpr),
      );
    }
  }
}

/** Index of the loudest band. */
export function loudest(spectrum) {
  let k = 0;
  for (let i = 1; i < spectrum.length; i++) if (spectrum[i] > spectrum[k]) k = i;
  return k;
}
