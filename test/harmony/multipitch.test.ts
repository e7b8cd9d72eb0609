import { describe, expect, it } from 'vitest';
import { analyzeAudio } from '../../src/harmony/analysis/analyze.js';
import { detectNotes } from '../../src/harmony/analysis/multipitch.js';
import { mergeSplitPartials, type Partial } from '../../src/harmony/analysis/spectrum.js';
import { mulberry32 } from '../../src/harmony/consonance.js';
import { parseNote } from '../../src/harmony/notes.js';
import { renderChord } from './synth.js';

const SR = 44100;

/** Partials of harmonic tones: amplitude a / n^roll, stretched by B. */
function partialsOf(notes: { f0: number; a?: number; roll?: number; B?: number }[], top = 8000): Partial[] {
  const out: Partial[] = [];
  for (const { f0, a = 0.1, roll = 1, B = 0 } of notes) {
    for (let h = 1; h * f0 < top; h++)
      out.push({ frequency: h * f0 * Math.sqrt(1 + B * h * h), amplitude: a / h ** roll });
  }
  return out;
}

const midiOf = (hz: number) => Math.round(69 + 12 * Math.log2(hz / 440));

describe('multi-pitch estimation explains each peak by the fewest notes', () => {
  it('reports a single piano-like tone once: no octave or twelfth from its own partials', () => {
    // strong 2nd and 3rd partials, as in many piano and guitar tones
    const p = partialsOf([{ f0: parseNote('D4'), roll: 0.5, B: 3e-4 }]);
    const notes = detectNotes(p);
    expect(notes.map((n) => midiOf(n.frequency))).toEqual([62]);
  });

  it('invents no note below the lowest peak with energy (no common subharmonic of a chord)', () => {
    const chord = ['C4', 'E4', 'G4', 'Bb4'].map((n) => ({ f0: parseNote(n) }));
    const notes = detectNotes(partialsOf(chord));
    expect(Math.min(...notes.map((n) => n.frequency))).toBeGreaterThan(parseNote('C4') * 0.97);
    expect(notes.map((n) => midiOf(n.frequency))).toEqual([60, 64, 67, 70]);
  });

  it('does not take a lone resonance (one peak, no harmonics) for a note', () => {
    const p = [...partialsOf([{ f0: parseNote('E3') }]), { frequency: 96.5, amplitude: 0.05 }];
    expect(detectNotes(p).map((n) => midiOf(n.frequency))).toEqual([52]);
  });

  it('does not name the 7th partial of a bass note as a note (C major is not C7)', () => {
    // C3 with a strong 7th partial (about B flat 5), E3, G3
    const p = partialsOf([{ f0: parseNote('C3') }, { f0: parseNote('E3') }, { f0: parseNote('G3') }]);
    const seventh = p.findIndex((q) => Math.abs(q.frequency - 7 * parseNote('C3')) < 0.01);
    p[seventh] = { frequency: p[seventh]!.frequency, amplitude: 0.05 };
    const notes = detectNotes(p);
    expect(notes.map((n) => midiOf(n.frequency))).toEqual([48, 52, 55]);
  });

  it('still finds a real octave doubling, which lifts the even partials', () => {
    const p = partialsOf([
      { f0: parseNote('A3'), B: 2e-4 },
      { f0: parseNote('A4'), B: 2e-4, a: 0.1 },
    ]);
    expect(detectNotes(p).map((n) => midiOf(n.frequency))).toEqual([57, 69]);
  });

  it('reads a tone with a strong 2nd partial and a jagged envelope (bowed string) as one note', () => {
    // partial levels (dB) of a sampled violin F5, the 2nd partial the strongest
    const db = [-1, 0, -9, -7, -7, -9, -21, -21, -24, -26, -28, -33, -32, -31, -41, -41];
    for (const note of ['G3', 'C4', 'F5']) {
      const f0 = parseNote(note);
      const p = db.map((d, i) => ({ frequency: (i + 1) * f0, amplitude: 0.1 * 10 ** (d / 20) }));
      expect(detectNotes(p).map((n) => midiOf(n.frequency))).toEqual([midiOf(f0)]);
    }
  });

  it('reads a clarinet-like tone (odd partials strong, even ones weak) as one note, not its 3rd or 5th partial', () => {
    const f0 = parseNote('C#4');
    const odd = [1, 0.05, 0.6, 0.04, 0.5, 0.05, 0.3, 0.03, 0.2, 0.02, 0.12, 0.02, 0.08];
    const p = odd.map((a, i) => ({ frequency: (i + 1) * f0, amplitude: 0.1 * a }));
    expect(detectNotes(p).map((n) => midiOf(n.frequency))).toEqual([61]);
  });

  it('finds the upper note of a wide voicing on the series of the bass (C2-E4, C2-G4, E2-B4, C2-C5)', () => {
    // the upper note at the 5th, 6th or 8th partial of the bass: its lift shows at 5 multiples
    for (const [lo, hi] of [
      ['C2', 'E4'],
      ['C2', 'G4'],
      ['E2', 'B4'],
      ['C2', 'C5'],
    ] as const) {
      // coinciding partials are one spectral peak, as mergeSplitPartials makes them
      const p = mergeSplitPartials(
        partialsOf([
          { f0: parseNote(lo), B: 1e-4 },
          { f0: parseNote(hi), B: 1e-4 },
        ]),
      );
      expect(detectNotes(p).map((n) => midiOf(n.frequency))).toEqual([
        midiOf(parseNote(lo)),
        midiOf(parseNote(hi)),
      ]);
    }
  });

  it('does not take the partials a double octave adds for an octave: G2 with G4 has no G3', () => {
    // a guitar-like G2 (strong 2nd partial) and a G4 lifting its 4th, 8th, 12th... partials
    const db = [-20, 0, -8, -18, -25, -26, -25, -22, -30, -32, -33, -35, -36, -38, -40, -42];
    const g2 = parseNote('G2');
    const p = db.map((d, i) => ({ frequency: (i + 1) * g2, amplitude: 0.1 * 10 ** (d / 20) }));
    const g4 = partialsOf([{ f0: parseNote('G4'), a: 0.05 }]);
    const notes = detectNotes(mergeSplitPartials([...p, ...g4])).map((n) => midiOf(n.frequency));
    expect(notes).toContain(43);
    expect(notes).not.toContain(55);
  });

  it('never reports one note twice: a unison detuned by 60 cents (too far to merge) gives one A#3', () => {
    const f0 = parseNote('A#3');
    const p = [...partialsOf([{ f0 }]), ...partialsOf([{ f0: f0 * 2 ** (60 / 1200), a: 0.08 }])];
    const notes = detectNotes(p).map((n) => n.frequency);
    expect(notes.filter((f) => Math.abs(1200 * Math.log2(f / f0)) < 100)).toHaveLength(1);
    for (let i = 1; i < notes.length; i++)
      expect(1200 * Math.log2(notes[i]! / notes[i - 1]!)).toBeGreaterThan(70);
  });

  it('reads an oboe-like tone whose formant lifts its 4th partial as one note, not its double octave', () => {
    // partial levels (dB) of a sampled oboe G#4: the 4th partial, in the formant, the strongest
    const db = [-7, -3.5, -4.3, 0, -20, -17, -17, -18, -29, -26, -33];
    const f0 = parseNote('G#4');
    const p = db.map((d, i) => ({ frequency: (i + 1) * f0, amplitude: 0.1 * 10 ** (d / 20) }));
    expect(detectNotes(p).map((n) => midiOf(n.frequency))).toEqual([68]);
  });

  it('finds a guitar low G whose fundamental is 26 dB below its 2nd partial, not its octave', () => {
    // partial levels (dB) of a sampled steel-string guitar G2 (the 7th partial near a node)
    const db = [-26, 0, -14, -13, -18, -28, -30, -27, -24, -23, -28, -40, -39, -36, -31, -38];
    const f0 = parseNote('G2');
    const p = db.map((d, i) => ({ frequency: (i + 1) * f0, amplitude: 0.1 * 10 ** (d / 20) }));
    expect(detectNotes(p).map((n) => midiOf(n.frequency))).toEqual([43]);
  });

  /** A tone of sines at the given partial levels (dB), 1.5 s, with a little noise. */
  function additive(f0: number, db: readonly number[]): Float64Array {
    const x = new Float64Array(Math.round(1.5 * SR));
    const noise = mulberry32(5);
    db.forEach((d, i) => {
      const a = 0.2 * 10 ** (d / 20);
      const w = (2 * Math.PI * (i + 1) * f0) / SR;
      for (let t = 0; t < x.length; t++) x[t] = x[t]! + a * Math.sin(w * t + i);
    });
    for (let t = 0; t < x.length; t++) x[t] = x[t]! + 1e-4 * (noise() - 0.5);
    return x;
  }

  it('analyses a rendered oboe-like G#4 (formant on the 4th partial) and guitar-like G2 (weak fundamental) as one note each', () => {
    const oboe = additive(parseNote('G#4'), [-7, -3.5, -4.3, 0, -20, -17, -17, -18, -29, -26, -33]);
    const midis = (x: Float64Array) =>
      analyzeAudio({ channels: [x], sampleRate: SR }).notes.map((n) => Math.round(n.midi));
    expect(midis(oboe)).toEqual([68]);
    const guitar = additive(
      parseNote('G2'),
      [-26, 0, -14, -13, -18, -28, -30, -27, -24, -23, -28, -40, -39, -36, -31, -38],
    );
    expect(midis(guitar)).toEqual([43]);
  });

  it('never reports one note twice in white noise either (two fits drawn within 70 cents)', () => {
    const r = mulberry32(3);
    const x = new Float32Array(SR * 10).map(() => r() - 0.5);
    const hz = analyzeAudio({ channels: [x], sampleRate: SR }).notes.map((n) => n.frequency);
    for (let i = 1; i < hz.length; i++) expect(1200 * Math.log2(hz[i]! / hz[i - 1]!)).toBeGreaterThan(70);
  });

  it('gives each note a confidence in 0..1 in the analysis JSON, and names a piano D4 D4', () => {
    const x = renderChord([parseNote('D4')], { inharmonicity: 4e-4, sampleRate: SR, seed: 2, noise: 0.001 });
    const r = analyzeAudio({ channels: [x], sampleRate: SR });
    expect(r.notes.map((n) => n.note)).toEqual(['D4']);
    expect(r.notes[0]!.confidence).toBeGreaterThan(0.5);
    expect(r.notes[0]!.confidence).toBeLessThanOrEqual(1);
  });
});
