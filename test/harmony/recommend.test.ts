import { describe, expect, it } from 'vitest';
import { consonance } from '../../src/harmony/consonance.js';
import { HarmonyError } from '../../src/harmony/errors.js';
import { parseNote } from '../../src/harmony/notes.js';
import {
  applyFeedback,
  decodeSuggestionId,
  emptyProfile,
  MAX_SHIFT,
  type Profile,
  resetProfile,
  validateProfile,
} from '../../src/harmony/profile.js';
import { suggest } from '../../src/harmony/recommend.js';

const cents = (a: number, b: number): number => 1200 * Math.log2(a / b);

describe('suggest', () => {
  it('spells one answer with one kind of accidental (A3 and C#4, never Db)', () => {
    const r = suggest({ frequencies: ['A3', 'C#4-14c'], count: 3 });
    expect(r.input.notes).toEqual(['A3', 'C#4-14c']);
    const text = [...r.suggestions.map((s) => s.note), ...r.suggestions.flatMap((s) => s.reasons)].join(' ');
    expect(text).not.toMatch(/\b[A-G]b\d?\b/);
  });

  it('returns the documented JSON shape', () => {
    const r = suggest({ frequencies: ['C4', 'E4', 'G4'], count: 4 });
    expect(Object.keys(r)).toEqual(['input', 'suggestions']);
    expect(Object.keys(r.input)).toEqual(['frequencies', 'notes', 'consonance', 'roughness', 'harmonicity']);
    expect(r.input.notes).toEqual(['C4', 'E4', 'G4']);
    expect(r.input.roughness).toBeCloseTo(0.1202426, 6);
    expect(r.suggestions).toHaveLength(4);
    for (const s of r.suggestions) {
      for (const k of ['id', 'frequency', 'note', 'cents', 'ratio', 'interval', 'score', 'reasons'])
        expect(s).toHaveProperty(k);
      expect(s.reasons.length).toBeGreaterThan(0);
      expect(s.score).toBeGreaterThanOrEqual(0);
      expect(s.score).toBeLessThanOrEqual(1);
      expect(s.ratio).toMatch(/^\d+\/\d+$/);
    }
    const scores = r.suggestions.map((s) => s.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
  });

  it('completes a major third with a fifth and ranks by the consonance of the result', () => {
    const r = suggest({ frequencies: ['C4', 'E4'], count: 5, tuning: 'just' });
    const top = r.suggestions[0]!;
    expect(top.ratio === '3/2' || top.ratio === '3/4').toBe(true);
    expect(top.reasons.join(' ')).toMatch(/C major/);
    // The score is the consonance of the chord the note would make.
    const chord = [parseNote('C4'), parseNote('E4'), top.frequency];
    expect(top.score).toBeCloseTo(consonance(chord).consonance, 3);
  });

  it('keeps suggestions diverse: no near-duplicates, new pitch classes first', () => {
    const r = suggest({ frequencies: [220, 330], count: 6, range: [100, 1000] });
    const f = r.suggestions.map((s) => s.frequency);
    for (let i = 0; i < f.length; i++) {
      for (let j = i + 1; j < f.length; j++) {
        expect(Math.abs(cents(f[i]!, f[j]!))).toBeGreaterThanOrEqual(25);
        const pc = ((cents(f[i]!, f[j]!) % 1200) + 1200) % 1200;
        expect(pc > 25 && pc < 1175).toBe(true);
      }
    }
  });

  it('respects range, count and tuning', () => {
    const r = suggest({ frequencies: [440], count: 8, range: [300, 700], tuning: '12tet' });
    expect(r.suggestions).toHaveLength(8);
    for (const s of r.suggestions) {
      expect(s.frequency).toBeGreaterThanOrEqual(300);
      expect(s.frequency).toBeLessThanOrEqual(700);
      expect(Math.abs(s.cents)).toBeLessThan(0.01);
    }
    const p = suggest({ frequencies: [200], count: 5, tuning: 'pythagorean' });
    for (const s of p.suggestions) {
      const [num, den] = s.ratio.split('/').map(Number);
      for (let x of [num!, den!]) {
        while (x % 2 === 0) x /= 2;
        while (x % 3 === 0) x /= 3;
        expect(x).toBe(1); // only powers of 2 and 3
      }
    }
  });

  it('goal tension prefers notes that make the chord less consonant', () => {
    const base = { frequencies: ['C4', 'E4', 'G4'], count: 5 } as const;
    const calm = suggest({ ...base, goal: 'consonant' }).suggestions;
    const tense = suggest({ ...base, goal: 'tension' }).suggestions;
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const cons = (ss: typeof calm) =>
      mean(
        ss.map(
          (s) => consonance([parseNote('C4'), parseNote('E4'), parseNote('G4'), s.frequency]).consonance,
        ),
      );
    expect(cons(tense)).toBeLessThan(cons(calm) - 0.1);
    expect(tense[0]!.reasons.some((r) => /roughness/.test(r))).toBe(true);
  });

  it('goal binaural suggests one beat per band first, with ear frequencies carrier -/+ beat/2', () => {
    const r = suggest({ frequencies: ['A3'], goal: 'binaural', count: 5 });
    expect(new Set(r.suggestions.map((s) => s.band))).toEqual(
      new Set(['delta', 'theta', 'alpha', 'beta', 'gamma']),
    );
    for (const s of r.suggestions) {
      expect(s.right! - s.left!).toBeCloseTo(s.beat!, 6);
      expect((s.left! + s.right!) / 2).toBeCloseTo(s.frequency, 6);
      // The carrier is an octave transposition of the input.
      expect(Math.abs(cents(s.frequency, 220) % 1200)).toBeLessThan(1e-6);
    }
  });

  it('gives stable ids that decode to the features', () => {
    const a = suggest({ frequencies: [261.63, 329.63], count: 3 });
    const b = suggest({ frequencies: [261.63, 329.63], count: 3 });
    expect(a.suggestions.map((s) => s.id)).toEqual(b.suggestions.map((s) => s.id));
    const key = decodeSuggestionId(a.suggestions[0]!.id);
    expect(key.goal).toBe('consonant');
    expect(key.frequency).toBeCloseTo(a.suggestions[0]!.frequency, 2);
    expect(key.features).toEqual(a.suggestions[0]!.features);
    expect(() => decodeSuggestionId('s1.!!!')).toThrow(HarmonyError);
    expect(() => decodeSuggestionId('nope')).toThrow(/not a suggestion id/);
  });

  it('refuses inputs and ranges outside 1 Hz to 100 kHz at once, instead of searching octaves without end', () => {
    const refused = (req: Parameters<typeof suggest>[0], field: string) => {
      try {
        suggest(req);
      } catch (e) {
        expect(e).toBeInstanceOf(HarmonyError);
        expect((e as HarmonyError).field).toBe(field);
        return;
      }
      throw new Error(`accepted ${JSON.stringify(req)}`);
    };
    refused({ frequencies: [2.5e-201, 848, 1671] }, 'frequencies');
    refused({ frequencies: [440, 848, 1671], range: [3.5e-323, 8.2e-66] }, 'range');
    refused({ frequencies: [440], range: [100, 1e9] }, 'range');
    refused({ frequencies: [2e6] }, 'frequencies');
    expect(suggest({ frequencies: [1, 100_000], range: [1, 100_000] }).suggestions.length).toBeGreaterThan(0);
  });

  it('rejects bad requests with typed errors', () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as HarmonyError).code;
      }
      return undefined;
    };
    expect(code(() => suggest({ frequencies: [] }))).toBe('EMPTY_CHORD');
    expect(code(() => suggest({ frequencies: ['X9'] }))).toBe('BAD_NOTE');
    expect(code(() => suggest({ frequencies: [-3] }))).toBe('BAD_FREQUENCY');
    expect(code(() => suggest({ frequencies: [440], count: 0 }))).toBe('BAD_OPTION');
    expect(code(() => suggest({ frequencies: [440], range: [500, 100] }))).toBe('BAD_OPTION');
    expect(code(() => suggest({ frequencies: [440], goal: 'loud' as never }))).toBe('BAD_OPTION');
  });
});

describe('adaptive profile', () => {
  const request = { frequencies: ['C4', 'E4', 'G4'], count: 8, range: [200, 800] as [number, number] };
  const rankOf = (profile: Profile | undefined, ic: string): number =>
    suggest({ ...request, profile }).suggestions.findIndex((s) => s.features.includes(ic));

  it('shifts the ranking towards liked features and away from disliked ones', () => {
    const first = suggest(request).suggestions;
    const target = first[first.length - 1]!; // the lowest-ranked suggestion
    const ic = target.features[0]!;
    let profile = emptyProfile();
    for (let i = 0; i < 5; i++) profile = applyFeedback(profile, target.id, +1);
    expect(rankOf(profile, ic)).toBeLessThan(first.length - 1);
    const liked = suggest({ ...request, profile }).suggestions.find((s) => s.features.includes(ic))!;
    expect(liked.reasons.some((r) => /your profile: you liked/.test(r))).toBe(true);

    const top = first[0]!;
    let disliking = emptyProfile();
    for (let i = 0; i < 5; i++) disliking = applyFeedback(disliking, top, -1);
    expect(rankOf(disliking, top.features[0]!)).toBeGreaterThan(0);
  });

  it('is bounded, counts feedback, validates and resets', () => {
    let p = emptyProfile();
    const id = suggest(request).suggestions[0]!.id;
    for (let i = 0; i < 100; i++) p = applyFeedback(p, id, 1);
    for (const w of Object.values(p.weights)) expect(Math.abs(w)).toBeLessThanOrEqual(1);
    expect(p.likes).toBe(100);
    const liked = suggest({ ...request, profile: p }).suggestions;
    const plain = suggest(request).suggestions;
    for (const s of liked) {
      const same = plain.find((q) => q.id === s.id);
      if (same) expect(Math.abs(s.score - same.score)).toBeLessThanOrEqual(MAX_SHIFT + 1e-9);
    }
    expect(validateProfile(JSON.parse(JSON.stringify(p)))).toEqual(p);
    expect(() => validateProfile({ version: 1, weights: { x: 5 }, likes: 0, dislikes: 0 })).toThrow(
      /\[-1, 1\]/,
    );
    expect(resetProfile()).toEqual(emptyProfile());
    expect(() => applyFeedback(p, id, 3)).toThrow(HarmonyError);
  });
});
