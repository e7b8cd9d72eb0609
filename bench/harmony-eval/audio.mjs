// Audio for bench/harmony-eval.mjs, made independently of the analyser: MIDI files rendered by
// FluidSynth through a SoundFont or by TiMidity++ through a patch set (its .cfg file), WAV
// reading, and chords of stiff-string (inharmonic) tones.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/** Ticks per second of the files written here (480 per quarter at 120 bpm). */
const TPS = 960;

const vlq = (v) => {
  const b = [v & 0x7f];
  for (let x = v >> 7; x > 0; x >>= 7) b.unshift((x & 0x7f) | 0x80);
  return b;
};

/**
 * A one-track MIDI file playing `stimuli` (arrays of MIDI notes) one after the other on one
 * program: each sounds `onSec` at its velocity, then `slotSec - onSec` of silence.
 */
export function midiSequence(stimuli, velocities, program, onSec, slotSec) {
  const ev = [0x00, 0xc0, program & 0x7f];
  let pending = 0; // ticks since the last event
  stimuli.forEach((notes, i) => {
    for (const [k, n] of notes.entries()) ev.push(...vlq(k === 0 ? pending : 0), 0x90, n, velocities[i]);
    notes.forEach((n, k) => {
      ev.push(...vlq(k === 0 ? Math.round(onSec * TPS) : 0), 0x80, n, 0);
    });
    pending = Math.round((slotSec - onSec) * TPS);
  });
  ev.push(...vlq(pending), 0xff, 0x2f, 0x00);
  const len = [(ev.length >>> 24) & 255, (ev.length >>> 16) & 255, (ev.length >>> 8) & 255, ev.length & 255];
  const head = [...Buffer.from('MThd'), 0, 0, 0, 6, 0, 0, 0, 1, 0x01, 0xe0];
  return Buffer.from([...head, ...Buffer.from('MTrk'), ...len, ...ev]);
}

/** Reads a PCM 16/24/32-bit or float WAV into channels. */
export function readWav(path) {
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

/**
 * Renders a MIDI file to `wav` (44.1 kHz), unless it exists: with FluidSynth (default reverb and
 * chorus on) for a SoundFont, with TiMidity++ for a patch set's `.cfg` (e.g. Debian's freepats).
 */
export function renderMidi(bank, mid, wav, midiBytes) {
  if (existsSync(wav)) return;
  writeFileSync(mid, midiBytes);
  const cmd = renderer(bank);
  const argv =
    cmd === 'timidity'
      ? ['-c', bank, '-Ow', '-s', '44100', '-o', wav, mid]
      : ['-ni', '-q', '-g', '0.5', '-F', wav, '-r', '44100', bank, mid];
  const r = spawnSync(cmd, argv, { encoding: 'utf8' });
  if (r.status !== 0 || !existsSync(wav)) throw new Error(`${cmd} ${bank}: ${r.error?.message ?? r.stderr}`);
}

const renderer = (bank) => (bank.endsWith('.cfg') ? 'timidity' : 'fluidsynth');

/** Why `bank` cannot be rendered here (the file or its renderer is missing), or null. */
export function bankMissing(bank) {
  if (!bank || !existsSync(bank)) return 'bank not installed';
  const cmd = renderer(bank);
  return spawnSync(cmd, ['--version'], { stdio: 'ignore' }).error ? `${cmd} not installed` : null;
}

/**
 * The General MIDI programs (bank 0) a TiMidity++ patch set defines itself: TiMidity++ reads
 * its default configuration too, and would play the others from whatever bank that names.
 */
export function patchSetPrograms(cfg) {
  const programs = new Set();
  let bank = -1;
  for (const line of readFileSync(cfg, 'utf8').split('\n')) {
    const t = line.trim();
    const head = /^(bank|drumset)\s+(\d+)/.exec(t);
    if (head) bank = head[1] === 'bank' ? Number(head[2]) : -1;
    else if (bank === 0 && /^\d+\s+\S/.test(t)) programs.add(Number(t.split(/\s+/)[0]));
  }
  return programs;
}

/** Seconds each stimulus of a rendered sequence sounds, and the slot it has. */
const ON_SEC = 2;
const SLOT_SEC = 4;

/**
 * Chords (arrays of MIDI notes) played one per slot on `program` through `bank` (a SoundFont or
 * a patch set's .cfg, see renderMidi), rendered to `base`.wav (kept: a second run reads it) and
 * read; `at(i)` is the part of slot i analysed, the sustain after the attack, 1.5 s.
 */
export function renderedSequence(bank, base, chords, velocities, program) {
  renderMidi(bank, `${base}.mid`, `${base}.wav`, midiSequence(chords, velocities, program, ON_SEC, SLOT_SEC));
  const audio = readWav(`${base}.wav`);
  return {
    at(i) {
      const start = Math.round((i * SLOT_SEC + 0.05) * audio.sampleRate);
      const end = start + Math.round(1.5 * audio.sampleRate);
      return { channels: audio.channels.map((c) => c.subarray(start, end)), sampleRate: audio.sampleRate };
    },
  };
}

/**
 * Stiff-string tones (piano-like): partial k at k f0 sqrt(1 + B k^2), B drawn in 1e-4..8e-4,
 * random amplitudes falling about as 1/k, faster decay of higher partials, a little noise.
 */
export function stretchedChord(notes, rand, seconds = 1.5, rate = 44100) {
  const n = Math.round(seconds * rate);
  const x = new Float32Array(n);
  for (const m of notes) {
    const f0 = 440 * 2 ** ((m - 69) / 12);
    const B = 1e-4 + rand() * 7e-4;
    for (let k = 1; k <= 30; k++) {
      const f = k * f0 * Math.sqrt(1 + B * k * k);
      if (f > 10000) break;
      const a = (0.3 / k ** 1.1) * (0.6 + 0.8 * rand());
      const ph = rand() * 2 * Math.PI;
      const decay = 1.5 + 0.15 * k;
      const w = (2 * Math.PI * f) / rate;
      for (let i = 0; i < n; i++) x[i] += a * Math.exp((-decay * i) / rate) * Math.sin(w * i + ph);
    }
  }
  let peak = 0;
  for (const v of x) peak = Math.max(peak, Math.abs(v));
  for (let i = 0; i < n; i++) x[i] = (0.5 * x[i]) / peak + 1e-4 * (rand() - 0.5);
  return { channels: [x], sampleRate: rate };
}
