#!/usr/bin/env node
// Consonance across chord sizes: every chord of 2, 3 and 4 notes within an octave above a root
// (12 dyads, 66 triads, 220 tetrads), scored by `consonance`. Prints the mean per size, the
// tetrad/dyad ratio of the means, where the minor second and minor seventh dyads fall in the
// combined set of 298 chords and, when mean human ratings are given, Spearman correlations.
//
//   npm run build && node bench/consonance-eval.mjs [--ratings DIR] [--jl12 DIR]
//                                                   [--root MIDI] [--tuning 12tet|just] [--worst N]
//
// --ratings DIR: dyads.txt, triads.txt, tetrads.txt, one mean rating a line (higher = more
//   consonant), chords in lexicographic order of their intervals above the root: dyads 1..12
//   semitones; triads (1,2), (1,3) .. (11,12); tetrads (1,2,3) .. (10,11,12). That is the order
//   of the "combined ratings" means of Bowling, Purves & Gill (2018, PNAS, Dataset S1).
// --jl12 DIR: triads.csv and tetrads.csv with a header and rows `id,midi notes,mean rating`
//   (higher = more dissonant), as in Johnson-Laird, Kang & Leong (2012), figures 2 and 3
//   (55 triads, 48 tetrads in several registers); correlations are reported with the sign turned
//   so that + = agreement. Within one size only (the two were separate experiments).
// --tuning just: the chords in the just ratios of the Bowling et al. stimuli (16/15 9/8 6/5 5/4
//   4/3 7/5 3/2 8/5 5/3 9/5 15/8 2/1) instead of 12-TET.
//
// The ratings only measure the model: nothing in the engine is fitted to them, and the project
// does not ship them.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const { consonance, midiToHz, spearman } = await import(
  process.env.HARMONY_MODULE ?? '../dist/harmony/index.js'
);
const args = process.argv.slice(2);
const opt = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const ratingsDir = opt('--ratings', process.env.CONSONANCE_RATINGS ?? null);
const jl12Dir = opt('--jl12', null);
const root = Number(opt('--root', '60'));
const tuning = opt('--tuning', '12tet');
const JUST = [1, 16 / 15, 9 / 8, 6 / 5, 5 / 4, 4 / 3, 7 / 5, 3 / 2, 8 / 5, 5 / 3, 9 / 5, 15 / 8, 2];
const hz = (semis) => (tuning === 'just' ? midiToHz(root) * JUST[semis] : midiToHz(root + semis));

/** Interval sets of k notes from `from`..12, in lexicographic order. */
function combos(k, from = 1) {
  if (k === 0) return [[]];
  const out = [];
  for (let a = from; a <= 12; a++) for (const rest of combos(k - 1, a + 1)) out.push([a, ...rest]);
  return out;
}

const SIZES = ['dyads', 'triads', 'tetrads'];
const chords = SIZES.map((_, i) => combos(i + 1).map((c) => [0, ...c]));
const scores = chords.map((set) => set.map((c) => consonance(c.map(hz)).consonance));
const mean = (v) => v.reduce((a, b) => a + b, 0) / v.length;
const fmt = (v, d = 3) => v.toFixed(d);
/** 1 = most consonant; ties share the better rank. */
const rankIn = (values, v) => 1 + values.filter((x) => x > v).length;

console.log(`Consonance of every chord of 2-4 notes within an octave above MIDI ${root} (${tuning})`);
const means = scores.map(mean);
for (const [i, name] of SIZES.entries()) {
  console.log(`  ${name.padEnd(8)} n=${String(chords[i].length).padStart(3)}  mean ${fmt(means[i])}`);
}
console.log(`  tetrad/dyad mean ratio ${fmt(means[2] / means[0])}, triad/dyad ${fmt(means[1] / means[0])}`);
const all = chords.flat();
const allScores = scores.flat();
const DYADS = { 1: 'minor second', 10: 'minor seventh' };
for (const [s, name] of Object.entries(DYADS)) {
  console.log(`  ${name} dyad: model rank ${rankIn(allScores, allScores[s - 1])} of ${all.length}`);
}

if (ratingsDir && existsSync(join(ratingsDir, 'dyads.txt'))) {
  const ratings = SIZES.map((name, i) => {
    const v = readFileSync(join(ratingsDir, `${name}.txt`), 'utf8')
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
    if (v.length !== chords[i].length || v.some((x) => !Number.isFinite(x))) {
      throw new Error(`${name}.txt: expected ${chords[i].length} numbers, got ${v.length}`);
    }
    return v;
  });
  const allRatings = ratings.flat();
  console.log(`\nAgainst the mean ratings in ${ratingsDir}:`);
  for (const [i, name] of SIZES.entries()) {
    const rho = spearman(scores[i], ratings[i]);
    console.log(`  ${name.padEnd(8)} Spearman rho ${fmt(rho)}   listeners' mean ${fmt(mean(ratings[i]))}`);
  }
  console.log(`  all 298  Spearman rho ${fmt(spearman(allScores, allRatings))}`);
  console.log(`  listeners' tetrad/dyad mean ratio ${fmt(mean(ratings[2]) / mean(ratings[0]))}`);
  for (const [s, name] of Object.entries(DYADS)) {
    console.log(`  ${name} dyad: listeners' rank ${rankIn(allRatings, allRatings[s - 1])} of ${all.length}`);
  }
  const rm = allScores.map((v) => rankIn(allScores, v));
  const rl = allRatings.map((v) => rankIn(allRatings, v));
  const worst = all
    .map((c, i) => ({ c: c.join('-'), model: rm[i], listeners: rl[i] }))
    .sort((a, b) => Math.abs(b.model - b.listeners) - Math.abs(a.model - a.listeners))
    .slice(0, Number(opt('--worst', '8')));
  console.log('  largest rank differences (semitones above the root: model rank / listeners rank):');
  for (const w of worst)
    console.log(`    ${w.c.padEnd(10)} ${String(w.model).padStart(3)} / ${String(w.listeners).padStart(3)}`);
} else {
  console.log('\nNo ratings of the 298 chords given (--ratings DIR): no correlation computed.');
}

if (jl12Dir) {
  console.log(`\nAgainst the dissonance ratings in ${jl12Dir} (sign turned: + = agreement):`);
  for (const name of ['triads', 'tetrads']) {
    const rows = readFileSync(join(jl12Dir, `${name}.csv`), 'utf8')
      .trim()
      .split('\n')
      .slice(1);
    const items = rows.map((line) => {
      const [, midi, rating] = line.split(',');
      const notes = midi.trim().split(/\s+/).map(Number);
      return { value: consonance(notes.map((m) => midiToHz(m))).consonance, rating: Number(rating) };
    });
    const rho = -spearman(
      items.map((x) => x.value),
      items.map((x) => x.rating),
    );
    console.log(`  ${name.padEnd(8)} n=${items.length}  Spearman rho ${fmt(rho)}`);
  }
}
