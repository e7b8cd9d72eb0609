#!/usr/bin/env node
// Multi-pitch and chord evaluation on audio made independently of the analyser:
//  - FluidSynth renders of MIDI chords and single notes through the FluidR3 GM SoundFont
//    (piano, nylon and steel guitar, strings, flute);
//  - chords synthesised here with stretched (inharmonic, piano-like) partials, B = 1e-4..8e-4.
// Reports note precision / recall / F1 (exact MIDI note), pitch-class F1 and the exact-chord
// rate (the set of notes exactly right) per source. Standalone:
//   npm run build && node bench/harmony-eval.mjs [--keep dir] [--n per-instrument]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// HARMONY_MODULE: another build of the harmony engine to evaluate (default: dist/).
const { analyzeAudio, mulberry32 } = await import(process.env.HARMONY_MODULE ?? '../dist/harmony/index.js');
const SF2 = '/usr/share/sounds/sf2/FluidR3_GM.sf2';
const args = process.argv.slice(2);
const keep = args.includes('--keep') ? args[args.indexOf('--keep') + 1] : null;
const perInstrument = args.includes('--n') ? Number(args[args.indexOf('--n') + 1]) : 40;
const dir = keep ?? mkdtempSync(join(tmpdir(), 'harmony-eval-'));
mkdirSync(dir, { recursive: true });

const rng = mulberry32;

const SHAPES = [
  [0],
  [0, 7],
  [0, 4],
  [0, 3],
  [0, 4, 7],
  [0, 3, 7],
  [0, 3, 6],
  [0, 5, 7],
  [0, 4, 7, 10],
  [0, 4, 7, 11],
  [0, 3, 7, 10],
  [0, 7, 16],
  [0, 7, 15],
  [0, 4, 7, 12],
  [0, 10, 16],
  [0, 3, 6, 10],
  [0, 4, 9],
  [0, 5, 9],
  [0, 2, 7],
];

function stimuli(seed, n, lo, hi) {
  const r = rng(seed);
  const out = [];
  for (let i = 0; i < n; i++) {
    const shape = SHAPES[i % SHAPES.length];
    const span = shape[shape.length - 1];
    const root = lo + Math.floor(r() * Math.max(1, hi - span - lo));
    out.push(shape.map((s) => root + s));
  }
  return out;
}

/** A one-track MIDI file: program, the notes together for `seconds`. */
function midiFile(notes, program, seconds = 2) {
  const ev = [0x00, 0xc0, program];
  for (const n of notes) ev.push(0x00, 0x90, n, 90);
  const ticks = Math.round(seconds * 960); // 480 per quarter at 120 bpm
  const vlq = (v) => {
    const b = [v & 0x7f];
    for (let x = v >> 7; x > 0; x >>= 7) b.unshift((x & 0x7f) | 0x80);
    return b;
  };
  notes.forEach((n, i) => {
    ev.push(...(i === 0 ? vlq(ticks) : [0]), 0x80, n, 0);
  });
  ev.push(0x00, 0xff, 0x2f, 0x00);
  const len = [(ev.length >>> 24) & 255, (ev.length >>> 16) & 255, (ev.length >>> 8) & 255, ev.length & 255];
  return Buffer.from([
    ...Buffer.from('MThd'),
    0,
    0,
    0,
    6,
    0,
    0,
    0,
    1,
    0x01,
    0xe0,
    ...Buffer.from('MTrk'),
    ...len,
    ...ev,
  ]);
}

/** Reads a PCM 16/24/32-bit or float WAV into channels. */
function readWav(path) {
  const b = readFileSync(path);
  let p = 12;
  let fmt = null;
  while (p + 8 <= b.length) {
    const id = b.toString('ascii', p, p + 4);
    const size = b.readUInt32LE(p + 4);
    if (id === 'fmt ')
      fmt = {
        format: b.readUInt16LE(p + 8),
        ch: b.readUInt16LE(p + 10),
        rate: b.readUInt32LE(p + 12),
        bits: b.readUInt16LE(p + 22),
      };
    if (id === 'data') {
      const bytes = fmt.bits / 8;
      const frames = Math.floor(Math.min(size, b.length - p - 8) / (bytes * fmt.ch));
      const chans = Array.from({ length: fmt.ch }, () => new Float32Array(frames));
      for (let i = 0; i < frames; i++) {
        for (let c = 0; c < fmt.ch; c++) {
          const o = p + 8 + (i * fmt.ch + c) * bytes;
          let v;
          if (fmt.format === 3) v = b.readFloatLE(o);
          else if (fmt.bits === 16) v = b.readInt16LE(o) / 32768;
          else if (fmt.bits === 24) v = b.readIntLE(o, 3) / 8388608;
          else v = b.readInt32LE(o) / 2147483648;
          chans[c][i] = v;
        }
      }
      return { channels: chans, sampleRate: fmt.rate };
    }
    p += 8 + size + (size & 1);
  }
  throw new Error(`${path}: no data chunk`);
}

function render(notes, program, name) {
  const wav = join(dir, `${name}.wav`);
  if (!existsSync(wav)) {
    const mid = join(dir, `${name}.mid`);
    writeFileSync(mid, midiFile(notes, program));
    const r = spawnSync('fluidsynth', ['-ni', '-q', '-g', '0.6', '-F', wav, '-r', '44100', SF2, mid], {
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`fluidsynth: ${r.stderr}`);
  }
  const audio = readWav(wav);
  // the sustained part: skip the attack transient, keep 1.5 s
  const start = Math.round(0.05 * audio.sampleRate);
  const end = Math.min(audio.channels[0].length, start + Math.round(1.5 * audio.sampleRate));
  return { channels: audio.channels.map((c) => c.subarray(start, end)), sampleRate: audio.sampleRate };
}

/** A chord of stiff-string tones: partial k at k f0 sqrt(1 + B k^2), decaying, with noise. */
function stretched(notes, seed) {
  const r = rng(seed);
  const rate = 44100;
  const n = Math.round(1.5 * rate);
  const x = new Float32Array(n);
  for (const m of notes) {
    const f0 = 440 * 2 ** ((m - 69) / 12);
    const B = 1e-4 + r() * 7e-4;
    for (let k = 1; k <= 30; k++) {
      const f = k * f0 * Math.sqrt(1 + B * k * k);
      if (f > 10000) break;
      const a = (0.3 / k ** 1.1) * (0.6 + 0.8 * r());
      const ph = r() * 2 * Math.PI;
      const decay = 1.5 + 0.15 * k;
      for (let i = 0; i < n; i++)
        x[i] += a * Math.exp((-decay * i) / rate) * Math.sin((2 * Math.PI * f * i) / rate + ph);
    }
  }
  let peak = 0;
  for (const v of x) peak = Math.max(peak, Math.abs(v));
  for (let i = 0; i < n; i++) x[i] = (0.5 * x[i]) / peak + 1e-4 * (r() - 0.5);
  return { channels: [x], sampleRate: rate };
}

const SOURCES = [
  { name: 'piano', program: 0, lo: 40, hi: 76 },
  { name: 'nylon-guitar', program: 24, lo: 40, hi: 72 },
  { name: 'steel-guitar', program: 25, lo: 40, hi: 72 },
  { name: 'strings', program: 48, lo: 43, hi: 79 },
  { name: 'flute', program: 73, lo: 60, hi: 91 },
  { name: 'stretched', program: -1, lo: 36, hi: 80 },
];

const rows = [];
const totals = { tp: 0, fp: 0, fn: 0, pcTp: 0, pcFp: 0, pcFn: 0, exact: 0, count: 0 };
for (const [si, src] of SOURCES.entries()) {
  const set = stimuli(100 + si, perInstrument, src.lo, src.hi);
  const t = { tp: 0, fp: 0, fn: 0, pcTp: 0, pcFp: 0, pcFn: 0, exact: 0, count: 0, errors: [] };
  set.forEach((notes, i) => {
    const audio =
      src.program < 0 ? stretched(notes, 1000 + i) : render(notes, src.program, `${src.name}-${i}`);
    const res = analyzeAudio(audio);
    const got = new Set(res.notes.map((n) => Math.round(n.midi)));
    const want = new Set(notes);
    const tp = [...got].filter((m) => want.has(m)).length;
    t.tp += tp;
    t.fp += got.size - tp;
    t.fn += want.size - tp;
    const pc = (s) => new Set([...s].map((m) => ((m % 12) + 12) % 12));
    const gp = pc(got);
    const wp = pc(want);
    const ptp = [...gp].filter((p) => wp.has(p)).length;
    t.pcTp += ptp;
    t.pcFp += gp.size - ptp;
    t.pcFn += wp.size - ptp;
    const exact = tp === want.size && got.size === want.size;
    if (exact) t.exact++;
    else t.errors.push(`${notes.join(',')} -> ${[...got].sort((a, b) => a - b).join(',')}`);
    t.count++;
  });
  for (const k of Object.keys(totals)) totals[k] += t[k];
  rows.push({ source: src.name, ...t });
}

const f1 = (tp, fp, fn) => {
  const p = tp / Math.max(1, tp + fp);
  const r = tp / Math.max(1, tp + fn);
  return [p, r, p + r > 0 ? (2 * p * r) / (p + r) : 0];
};
const pct = (v) => `${(100 * v).toFixed(1)} %`;
console.log('| source | stimuli | note precision | note recall | note F1 | pitch-class F1 | exact chords |');
console.log('|---|---|---|---|---|---|---|');
for (const r of [...rows, { source: 'all', ...totals }]) {
  const [p, rc, f] = f1(r.tp, r.fp, r.fn);
  const [, , pf] = f1(r.pcTp, r.pcFp, r.pcFn);
  console.log(
    `| ${r.source} | ${r.count} | ${pct(p)} | ${pct(rc)} | ${pct(f)} | ${pct(pf)} | ${pct(r.exact / r.count)} |`,
  );
}
if (args.includes('--errors'))
  for (const r of rows) for (const e of r.errors) console.log(`${r.source}: ${e}`);
if (!keep) rmSync(dir, { recursive: true, force: true });
