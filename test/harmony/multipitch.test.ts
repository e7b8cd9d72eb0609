import { readFileSync } from 'node:fs';
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

/** Spectral peaks (Hz, amplitude) of a FluidR3 viola G3-G4-D5-B5, as `mergeSplitPartials` gives them. */
const VIOLA = [
  [19.84, 0.0000229],
  [30.16, 0.0000381],
  [38.08, 0.0000257],
  [48.67, 0.000031],
  [59.14, 0.0000244],
  [69.38, 0.0000163],
  [78.84, 0.0000238],
  [85.14, 0.0000191],
  [88.54, 0.0000185],
  [95.61, 0.0000218],
  [119.46, 0.0000199],
  [156.32, 0.0000194],
  [180.6, 0.0000237],
  [194.87, 0.00327],
  [200.16, 0.00582],
  [221.1, 0.0000784],
  [227.57, 0.000064],
  [237.53, 0.0000199],
  [262.88, 0.0000214],
  [273.86, 0.0000391],
  [294.27, 0.0000345],
  [308.76, 0.0000357],
  [326.79, 0.0000303],
  [340.09, 0.0000155],
  [359.4, 0.000524],
  [374.03, 0.000578],
  [393.51, 0.0175],
  [413.48, 0.000302],
  [425.03, 0.000123],
  [437.52, 0.0000533],
  [462.81, 0.0000562],
  [491.16, 0.0000489],
  [507.12, 0.0000248],
  [523.03, 0.0000771],
  [542.68, 0.0000444],
  [570.52, 0.0002],
  [587.25, 0.00706],
  [621.97, 0.000112],
  [659.39, 0.0000817],
  [686.46, 0.000139],
  [727.97, 0.000128],
  [758.29, 0.000135],
  [780.65, 0.00375],
  [808.93, 0.000138],
  [875.18, 0.0000472],
  [932.46, 0.0000367],
  [955.18, 0.000438],
  [987.42, 0.0105],
  [1025.06, 0.000121],
  [1062.82, 0.0000561],
  [1102.98, 0.0000699],
  [1133.58, 0.0000516],
  [1167.6, 0.00552],
  [1199.15, 0.000267],
  [1234.97, 0.000048],
  [1266.82, 0.0000267],
  [1315.49, 0.0000525],
  [1371.4, 0.00209],
  [1439.55, 0.0000343],
  [1479.77, 0.0000232],
  [1521.92, 0.0000605],
  [1562.33, 0.00634],
  [1600.15, 0.000123],
  [1648.23, 0.000113],
  [1702.15, 0.0000702],
  [1755.25, 0.00515],
  [1838.51, 0.000104],
  [1894.1, 0.0000381],
  [1961.96, 0.00453],
  [2069.04, 0.000112],
  [2138.32, 0.00117],
  [2206.53, 0.000109],
  [2277.95, 0.0000974],
  [2340.01, 0.00635],
  [2397.71, 0.000224],
  [2461.9, 0.0000558],
  [2530.99, 0.000811],
  [2661.19, 0.000109],
  [2740.21, 0.00261],
  [2834.64, 0.000157],
  [2957.55, 0.00601],
  [3039.3, 0.000123],
  [3130.89, 0.00153],
  [3222.18, 0.0000703],
  [3317.13, 0.00116],
  [3504.71, 0.00256],
  [3706.3, 0.000925],
  [3903.23, 0.00493],
  [4103.22, 0.00112],
  [4201.68, 0.0000358],
  [4313.78, 0.000308],
  [4505.69, 0.000123],
  [4692.7, 0.00123],
  [4908.65, 0.00138],
  [5101.95, 0.000173],
  [5285.37, 0.000341],
  [5494.16, 0.000181],
  [5653.65, 0.00017],
  [5906.93, 0.00103],
  [6276.4, 0.000097],
  [6464.29, 0.000485],
  [6635.44, 0.000164],
  [6853.25, 0.000583],
  [7024.13, 0.000308],
  [7210.82, 0.0000554],
  [7566.2, 0.000424],
  [7819.02, 0.000486],
  [8220.22, 0.000307],
  [8420.41, 0.0000581],
  [8817.87, 0.000359],
  [9390.46, 0.000177],
  [9890.8, 0.000246],
  [10218.96, 0.00006],
  [10615, 0.000209],
  [11052.58, 0.000174],
  [11351.31, 0.0000298],
  [11732.46, 0.000301],
];

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

  it('takes no faint body resonance at the common subharmonic of a chord for a bass note, though a rumble lies below it', () => {
    // the spectral peaks of a FluidR3 piano G3-B3-D4 (velocity 90, as mergeSplitPartials gives
    // them): hammer and body put peaks at 55-117 Hz, 30-37 dB below the strongest, one of them at
    // 98 Hz, the chord's common subharmonic G2, on whose series G3, D4 and B3's octave all lie
    const file = new URL('../fixtures/peaks/fluidr3-piano-g3-b3-d4.json', import.meta.url);
    const peaks = (JSON.parse(readFileSync(file, 'utf8')) as [number, number][]).map(
      ([frequency, amplitude]) => ({
        frequency,
        amplitude,
      }),
    );
    expect(detectNotes(peaks).map((n) => midiOf(n.frequency))).toEqual([55, 59, 62]);
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

  /** White noise through four one-pole low-pass stages at 150 Hz: a rumble (a body's thump, handling). */
  function rumble(length: number, level: number, seed: number): Float64Array {
    const r = mulberry32(seed);
    const c = Math.exp((-2 * Math.PI * 150) / SR);
    const s = [0, 0, 0, 0];
    return Float64Array.from({ length }, () => {
      let v = r() - 0.5;
      for (let j = 0; j < 4; j++) v = s[j] = (1 - c) * v + c * s[j]!;
      return level * v;
    });
  }

  it('takes no peak of a rumble for a note, while a bass note standing clear of it is one', () => {
    // partial levels of a sampled nylon-string guitar C#5 (weak fundamental) over a loud rumble:
    // its peaks, 12-20 dB below the guitar's 2nd partial, each passed the energy floor and made
    // bass notes
    const guitar = additive(parseNote('C#5'), [-16, 0, -33, -18, -8, -39, -29, -30, -32]);
    const bass = additive(parseNote('E2'), [0, -4, -10, -16, -20, -24]);
    const midis = (x: Float64Array) =>
      analyzeAudio({ channels: [x], sampleRate: SR }).notes.map((n) => Math.round(n.midi));
    for (const seed of [1, 2, 3]) {
      const noise = rumble(guitar.length, 8, seed);
      const x = guitar.map((v, t) => v + noise[t]!);
      const res = analyzeAudio({ channels: [x], sampleRate: SR });
      const strongest = Math.max(...res.partials.map((p) => p.amplitudeDb));
      const low = res.partials.filter((p) => p.frequency < 200).map((p) => p.amplitudeDb);
      expect(low.filter((db) => db > strongest - 20).length).toBeGreaterThan(2);
      expect(midis(x)).toEqual([73]);
      // E2, its fundamental about 20 dB above the rumble's median level there
      expect(midis(x.map((v, t) => v + bass[t]!))).toEqual([40, 73]);
    }
  });

  it('finds a viola-like C3 whose fundamental lies 32 dB under its 3rd partial, not C4 G4 E5 from its partials', () => {
    // partial levels of a sampled viola's open C string (bowed: the 3rd partial strongest)
    const viola = additive(parseNote('C3'), [-32, -9, 0, -19, -15, -16, -20, -22, -25, -24, -28, -30]);
    const notes = analyzeAudio({ channels: [viola], sampleRate: SR }).notes;
    expect(notes.map((n) => Math.round(n.midi))).toEqual([48]);
  });

  it('finds the fifth voiced a twelfth above the bass when the bass has its octave too (F#2 F#3 C#4 A4), and adds none when it is not played', () => {
    // the octave lifts every even partial of the bass, the neighbours of the twelfth's partials
    // (3, 9, 15...): measured against them, the twelfth's lift was buried
    const hz = (m: number) => 440 * 2 ** ((m - 69) / 12);
    const chord = (upper: readonly [number, number][]) => {
      const out: Partial[] = [];
      for (const [m, a] of [[42, 1], ...upper] as [number, number][])
        for (let h = 1; h * hz(m) < 8000; h++)
          out.push({ frequency: h * hz(m), amplitude: (0.1 * a * (m === 42 && h === 1 ? 0.1 : 1)) / h });
      return detectNotes(mergeSplitPartials(out)).map((n) => midiOf(n.frequency));
    };
    expect(
      chord([
        [54, 1],
        [61, 0.6],
        [69, 0.6],
      ]),
    ).toEqual([42, 54, 61, 69]);
    expect(
      chord([
        [54, 1],
        [69, 0.6],
      ]),
    ).toEqual([42, 54, 69]);
  });

  it('finds the third of an open G chord (G2 D3 G3 B3 D4 G4) though the bass gathers every note on its series', () => {
    // G3, D4 and G4 lie on the series of G2, whose score takes their partials and so stands 10
    // times above that of B3, 9 dB quieter; but B3's fundamental is a strong peak off the series
    // of every note found, and only a note explains it
    const chord = ['G2', 'D3', 'G3', 'B3', 'D4', 'G4'].map((n) => ({
      f0: parseNote(n),
      a: n === 'B3' ? 0.04 : 0.1,
    }));
    const found = detectNotes(mergeSplitPartials(partialsOf(chord))).map((n) => midiOf(n.frequency));
    expect(found).toEqual(expect.arrayContaining([43, 50, 59]));
    for (const m of found) expect([43, 50, 55, 59, 62, 67]).toContain(m);
  });

  it('never reports one note twice in white noise either (two fits drawn within 70 cents)', () => {
    const r = mulberry32(3);
    const x = new Float32Array(SR * 10).map(() => r() - 0.5);
    const hz = analyzeAudio({ channels: [x], sampleRate: SR }).notes.map((n) => n.frequency);
    for (let i = 1; i < hz.length; i++) expect(1200 * Math.log2(hz[i]! / hz[i - 1]!)).toBeGreaterThan(70);
  });

  it('finds a 12-TET major seventeenth above the bass though its own partials are weak: its fundamental pulls the 5th partial off the series', () => {
    // the upper note's partials fall as 1/h^2: it lifts the bass's 5th partial, hardly its 10th,
    // 15th..., so the lift over 5 multiples cannot tell it from a formant; but a 12-TET third lies
    // 14 cents above the 5th harmonic, and the merged peak there is drawn off the bass's series
    for (const lo of ['E2', 'G2', 'A2', 'C3', 'D3']) {
      const bass = parseNote(lo);
      const upper = bass * 2 ** (28 / 12);
      for (const a of [0.05, 0.07]) {
        const p = mergeSplitPartials(partialsOf([{ f0: bass }, { f0: upper, a, roll: 2 }]));
        expect(detectNotes(p).map((n) => midiOf(n.frequency))).toEqual([midiOf(bass), midiOf(upper)]);
      }
    }
  });

  it('finds an oboe-like upper note (weak fundamental) a twelfth above the bass, not its octave', () => {
    // partial levels (dB) of a sampled oboe: its 4th partial the strongest, its 1st 7 dB down;
    // its octave, found first, lifts its even partials, its odd ones are its own
    const oboe = [-7, -3.5, -4.3, 0, -20, -17, -17, -18, -29, -26, -33];
    for (const lo of ['C3', 'E3', 'G3', 'A3', 'B3']) {
      const bass = parseNote(lo);
      const upper = bass * 2 ** (19 / 12);
      for (const gainDb of [-6, 0]) {
        const p = partialsOf([{ f0: bass }]);
        for (const [i, d] of oboe.entries())
          p.push({ frequency: (i + 1) * upper, amplitude: 0.1 * 10 ** ((d + gainDb) / 20) });
        expect(detectNotes(mergeSplitPartials(p)).map((n) => midiOf(n.frequency))).toEqual([
          midiOf(bass),
          midiOf(upper),
        ]);
      }
    }
  });

  it('keeps a tone whose 5th partial stands out on its own series (a formant) as one note', () => {
    for (const lo of ['E2', 'G2', 'A2', 'C3', 'D3']) {
      const p = partialsOf([{ f0: parseNote(lo) }]);
      p[4] = { frequency: p[4]!.frequency, amplitude: 5 * p[4]!.amplitude };
      expect(detectNotes(p).map((n) => midiOf(n.frequency))).toEqual([midiOf(parseNote(lo))]);
    }
  });

  it('analyses a rendered wide voicing A2-C#5 (upper partials weak) as both notes, a lone A2 as one', () => {
    const bass = parseNote('A2');
    const upper = parseNote('C#5');
    const tone = (f0: number, amp: (h: number) => number): Float64Array => {
      const x = new Float64Array(Math.round(1.5 * SR));
      for (let h = 1; h * f0 < 8000; h++) {
        const w = (2 * Math.PI * h * f0) / SR;
        // higher partials decay faster, as a struck string's do
        const decay = 1 / (SR * (1.5 / (1 + 0.2 * (h - 1))));
        for (let t = 0; t < x.length; t++) x[t] = x[t]! + amp(h) * Math.exp(-t * decay) * Math.sin(w * t + h);
      }
      return x;
    };
    const low = tone(bass, (h) => 0.1 / h);
    const high = tone(upper, (h) => 0.05 / h ** 2);
    const both = low.map((v, i) => v + high[i]!);
    const midis = (x: Float64Array) =>
      analyzeAudio({ channels: [x], sampleRate: SR }).notes.map((n) => Math.round(n.midi));
    expect(midis(both)).toEqual([45, 73]);
    expect(midis(low)).toEqual([45]);
  });

  it("finds an octave on top of a piano-like note though its own partials are weak: its stiffer string puts them beside the bass's", () => {
    // C4 and C5 as two struck strings: the upper string's fundamental is tuned to the lower's
    // 2nd partial (a piano's stretched octave), but its stiffness is not 4 times the lower's, so
    // its partial k falls a few cents under the lower's partial 2k (6 cents at k = 3, 11 at k = 4)
    const c4 = parseNote('C4');
    const b4 = 4e-4;
    const b5 = 8e-4;
    const c5 = (2 * c4 * Math.sqrt(1 + 4 * b4)) / Math.sqrt(1 + b5);
    const string = (f0: number, b: number, amp: (h: number) => number): Float64Array => {
      const x = new Float64Array(Math.round(1.5 * SR));
      for (let h = 1; h * f0 < 9000; h++) {
        const w = (2 * Math.PI * h * f0 * Math.sqrt(1 + b * h * h)) / SR;
        const decay = 1 / (SR * (1.2 / (1 + 0.3 * (h - 1))));
        for (let t = 0; t < x.length; t++)
          x[t] = x[t]! + amp(h) * Math.exp(-t * decay) * Math.sin(w * t + 1.7 * h);
      }
      return x;
    };
    const low = string(c4, b4, (h) => 0.3 / h);
    // the upper note's partials fall steeply: they lift the lower note's even partials less than
    // a lone note's jagged envelope can
    const high = string(c5, b5, (h) => 0.2 / h ** 2);
    const both = low.map((v, i) => v + high[i]!);
    const midis = (x: Float64Array) =>
      analyzeAudio({ channels: [x], sampleRate: SR }).notes.map((n) => Math.round(n.midi));
    expect(midis(both)).toEqual([60, 72]);
    expect(midis(low)).toEqual([60]);
    // a lone string whose 2nd partial stands 5 dB above its envelope is still one note: its
    // partials are single, however strong
    const strong2 = string(c4, b4, (h) => (h === 2 ? 0.3 * 1.78 : 0.3) / h);
    expect(midis(strong2)).toEqual([60]);
  });

  it('never reports one note twice when a stiff-string fit from a stray peak drifts onto a note found', () => {
    // the peaks of a sampled viola G3-G4-D5-B5 (a wide voicing): a fit started at a stray peak
    // (359 Hz) ended on G4 again, and was taken once per round
    const peaks: Partial[] = (VIOLA as [number, number][]).map(([frequency, amplitude]) => ({
      frequency,
      amplitude,
    }));
    const hz = detectNotes(peaks).map((n) => n.frequency);
    for (let i = 1; i < hz.length; i++) expect(1200 * Math.log2(hz[i]! / hz[i - 1]!)).toBeGreaterThan(70);
    expect(hz.map(midiOf)).toContain(55);
  });

  it('gives each note a confidence in 0..1 in the analysis JSON, and names a piano D4 D4', () => {
    const x = renderChord([parseNote('D4')], { inharmonicity: 4e-4, sampleRate: SR, seed: 2, noise: 0.001 });
    const r = analyzeAudio({ channels: [x], sampleRate: SR });
    expect(r.notes.map((n) => n.note)).toEqual(['D4']);
    expect(r.notes[0]!.confidence).toBeGreaterThan(0.5);
    expect(r.notes[0]!.confidence).toBeLessThanOrEqual(1);
  });
});
