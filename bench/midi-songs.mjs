// Generated General MIDI test songs for bench/midi.mjs: multi-channel, orchestral-like, with
// pan, expression, reverb and chorus sends, sustained chords, runs, arpeggios and drums.
import { tempoEvent, writeMidi } from '../dist/midi/write.js';

const TPQ = 480;

/** A seeded pseudo-random generator (xorshift), so each song is the same on every run. */
function rng(seed) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

const PROGRESSION = [
  [48, 52, 55, 60],
  [45, 48, 52, 57],
  [41, 45, 48, 53],
  [43, 47, 50, 55],
];

/** Channel set-up: program, pan, volume, reverb and chorus sends. */
function setup(ch, program, pan, { reverb = 50, chorus = 0, volume = 100 } = {}) {
  return [
    { tick: 0, bytes: [0xc0 | ch, program] },
    { tick: 0, bytes: [0xb0 | ch, 7, volume] },
    { tick: 0, bytes: [0xb0 | ch, 10, pan] },
    { tick: 0, bytes: [0xb0 | ch, 91, reverb] },
    { tick: 0, bytes: [0xb0 | ch, 93, chorus] },
  ];
}

function note(ev, ch, tick, len, key, vel) {
  ev.push({ tick, bytes: [0x90 | ch, key, vel] }, { tick: tick + len, bytes: [0x80 | ch, key, 0] });
}

/**
 * An orchestral-like song of `bars` 4/4 bars at `bpm`: string section chords (violins, violas,
 * cellos, basses), woodwind melodies in eighths, brass swells, harp arpeggios in sixteenths,
 * timpani, piano and a drum kit on channel 10, with expression swells (CC11).
 */
export function orchestra(bars = 64, bpm = 112, seed = 7) {
  const r = rng(seed);
  const bar = TPQ * 4;
  const tracks = [[tempoEvent(0, bpm)]];
  const parts = [
    // ch, program, pan, role, octave shift
    [0, 48, 40, 'pad', 12], // strings ensemble
    [1, 40, 20, 'melody', 24], // violin
    [2, 41, 54, 'pad', 0], // viola
    [3, 42, 88, 'pad', -12], // cello
    [4, 43, 100, 'bass', -24], // contrabass
    [5, 73, 60, 'melody', 24], // flute
    [6, 68, 70, 'melody', 12], // oboe
    [7, 71, 50, 'melody', 12], // clarinet
    [8, 60, 30, 'swell', 0], // french horn
    [10, 56, 80, 'swell', 12], // trumpet
    [11, 57, 96, 'swell', -12], // trombone
    [12, 46, 110, 'arp', 12], // harp
    [13, 47, 64, 'timp', -24], // timpani
    [14, 0, 64, 'arp', 0], // piano
    [15, 52, 64, 'pad', 12], // choir aahs
  ];
  for (const [ch, program, pan, role, shift] of parts) {
    const ev = setup(ch, program, pan, { reverb: 40 + (ch % 4) * 15, chorus: role === 'pad' ? 30 : 0 });
    for (let b = 0; b < bars; b++) {
      const chord = PROGRESSION[b % 4].map((k) => k + shift);
      const t0 = b * bar;
      if (role === 'pad') {
        for (const k of chord) note(ev, ch, t0, bar - 20, k, 70);
        for (let i = 0; i < 8; i++) ev.push({ tick: t0 + (i * bar) / 8, bytes: [0xb0 | ch, 11, 80 + 5 * i] });
      } else if (role === 'melody') {
        for (let i = 0; i < 8; i++) {
          if (r() < 0.2) continue;
          const k = chord[Math.floor(r() * 4)] + (r() < 0.5 ? 0 : 12);
          note(ev, ch, t0 + i * (TPQ / 2), TPQ / 2 - 10, k, 60 + Math.floor(r() * 40));
        }
      } else if (role === 'swell') {
        for (let h = 0; h < 2; h++)
          for (const k of chord.slice(0, 3)) note(ev, ch, t0 + h * 2 * TPQ, 2 * TPQ - 30, k, 75);
      } else if (role === 'arp') {
        for (let i = 0; i < 16; i++)
          note(ev, ch, t0 + i * (TPQ / 4), TPQ / 2, chord[i % 4] + 12 * ((i >> 2) % 2), 70);
      } else if (role === 'bass') {
        for (let i = 0; i < 4; i++) note(ev, ch, t0 + i * TPQ, TPQ - 20, chord[0], 90);
      } else if (role === 'timp') {
        note(ev, ch, t0, TPQ, chord[0], 100);
        note(ev, ch, t0 + 2 * TPQ, TPQ, chord[2] - 12, 90);
      }
    }
    tracks.push(ev);
  }
  const drums = setup(9, 0, 64, { reverb: 30 });
  for (let b = 0; b < bars; b++)
    for (let i = 0; i < 8; i++) {
      const t = b * bar + i * (TPQ / 2);
      note(drums, 9, t, 60, 42, 70);
      if (i % 4 === 0) note(drums, 9, t, 60, 36, 110);
      if (i % 4 === 2) note(drums, 9, t, 60, 38, 100);
      if (i === 0 && b % 4 === 0) note(drums, 9, t, 60, 49, 100);
    }
  tracks.push(drums);
  return writeMidi({ format: 1, ticksPerQuarter: TPQ, tracks });
}

/** A lighter song: 8 melodic channels (one note at a time each) and drums, 4 notes a beat. */
export function band(beats = 480) {
  const tracks = [];
  const programs = [0, 48, 73, 33, 24, 56, 65, 11];
  programs.forEach((p, ch) => {
    const ev = [
      { tick: 0, bytes: [0xc0 | ch, p] },
      { tick: 0, bytes: [0xb0 | ch, 10, 16 * ch] },
    ];
    for (let b = 0; b < beats; b++) {
      const key = 48 + ((b * 7 + ch * 5) % 24);
      note(ev, ch, b * 120, 110, key, 80);
    }
    tracks.push(ev);
  });
  const drums = [];
  for (let b = 0; b < beats; b++) note(drums, 9, b * 120, 60, b % 4 ? 42 : 36, 100);
  tracks.push(drums);
  return writeMidi({ format: 1, ticksPerQuarter: 240, tracks });
}
