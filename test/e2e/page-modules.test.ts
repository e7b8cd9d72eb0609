// The control page's pure modules (public/ui/*.js) in Node: the value parser against the
// server's, the jitter buffer's growth, shrink and click-free skip, the live preset switch plan,
// and the colour contrast of the style sheet (WCAG AA).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: plain browser JavaScript without type declarations
import { JitterBuffer } from '../../public/ui/jitter.js';
// @ts-expect-error: plain browser JavaScript without type declarations
import { nearestNote, nudgeHz, parseDb, parseFrequency } from '../../public/ui/notes.js';
// @ts-expect-error: plain browser JavaScript without type declarations
import { newLayer, planSwitch, presetLayers } from '../../public/ui/scene.js';
import { parseFrequency as serverParse } from '../../src/render/values.js';
import { PUBLIC_DIR } from '../../src/server/ws/page.js';

describe('page values', () => {
  it('reads Hz exactly as typed and notes as the server does', () => {
    for (const t of ['440', '440.000', '27.5', '1.5k', '1.5khz', '261.626 Hz', '19999']) {
      expect(parseFrequency(t).hz, t).toBe(serverParse(t.replace(/k$/, 'khz').replace(' ', ''), {}));
    }
    expect(parseFrequency('440').hz).toBe(440);
    for (const n of ['A4', 'C#5', 'Bb3', 'A4+15c', 'A4-33.5c', 'C0', 'G9', 'E♭4']) {
      expect(parseFrequency(n).hz, n).toBeCloseTo(serverParse(n), 9);
    }
    expect(parseFrequency('H4').error).toMatch(/neither Hz nor a note/);
    expect(parseFrequency('0').error).toMatch(/above 0/);
    expect(parseFrequency('25000').error).toMatch(/below 20000/);
    expect(nearestNote(440 * 2 ** (15 / 1200)).label).toBe('A4+15c');
    expect(nudgeHz(440, 1)).toBe(440.254);
    expect(parseDb('-12').db).toBe(-12);
    expect(parseDb('-inf').db).toBe(Number.NEGATIVE_INFINITY);
    expect(parseDb('30').error).toMatch(/above the limit/);
  });
});

describe('jitter buffer', () => {
  const RATE = 48000;
  const Q = 128;
  const sine = (from: number, n: number) => {
    const x = new Float32Array(2 * n);
    for (let i = 0; i < n; i++)
      x[2 * i] = x[2 * i + 1] = 0.5 * Math.sin((2 * Math.PI * 440 * (from + i)) / RATE);
    return x;
  };

  it('grows on underruns, shrinks back to its floor when steady, and skips without a click', () => {
    const jb = new JitterBuffer({ sampleRate: RATE, floorFrames: 2880, steadySec: 1 });
    const out = [new Float32Array(Q), new Float32Array(Q)];
    let sent = 0;
    const feed = (n: number) => {
      jb.push(sine(sent, n));
      sent += n;
    };
    // a stalling network: bursts of 4096 frames with gaps between them
    for (let round = 0; round < 6; round++) {
      feed(4096);
      for (let k = 0; k < 64; k++) jb.render(out, Q);
    }
    const grown = jb.stats();
    expect(grown.underruns).toBeGreaterThan(0);
    expect(grown.target).toBeGreaterThan(2880);

    // then a steady stream: block in, block out, for 20 s, with the output followed sample by sample
    feed(grown.target + 2048);
    let prev = 0;
    let maxStep = 0;
    for (let k = 0; k < (20 * RATE) / Q; k++) {
      feed(Q);
      jb.render(out, Q);
      for (let i = 0; i < Q; i++) {
        maxStep = Math.max(maxStep, Math.abs(out[0]![i]! - prev));
        prev = out[0]![i]!;
      }
    }
    const steady = jb.stats();
    expect(steady.underruns).toBe(grown.underruns);
    expect(steady.target).toBe(2880);
    expect(steady.shrinks).toBeGreaterThan(0);
    expect(steady.skipped).toBeGreaterThan(0);
    expect(steady.buffered).toBeLessThanOrEqual(2880 + 2 * Q);
    // a 440 Hz sine at 0.5 moves at most 0.029 a sample; the skips' crossfades stay near that
    expect(maxStep).toBeLessThan(0.06);
  });
});

describe('live preset switch plan', () => {
  it('glides layers of the same kind, adds new ones silent then fades them in, removes the rest', () => {
    const used = new Set<string>(['tone1']);
    const fresh = (name: string) => {
      let id = name;
      for (let k = 2; used.has(id); k++) id = `${name}-${k}`;
      used.add(id);
      return id;
    };
    const alpha = presetLayers(JSON.parse(readFileSync('presets/alpha-relax.json', 'utf8')));
    const plan = planSwitch([newLayer('tone', 'tone1')], alpha.layers, 0.4, fresh);
    expect(plan.layers.map((l: { id: string }) => l.id)).toEqual(['beat', 'bed']);
    expect(plan.messages).toEqual([
      { type: 'add', layer: { id: 'beat', type: 'binaural', gain: 0, carrier: 200, beat: 10, wave: 'sine' } },
      { type: 'set', layer: 'beat', params: { gain: '-12dB' }, glide: 0.4 },
      { type: 'add', layer: { id: 'bed', type: 'noise', gain: 0, color: 'pink' } },
      { type: 'set', layer: 'bed', params: { gain: '-26dB' }, glide: 0.4 },
      { type: 'set', layer: 'tone1', params: { gain: 0 }, glide: 0.4 },
    ]);
    expect(plan.removals).toEqual([{ type: 'remove', layer: 'tone1' }]);

    const theta = presetLayers(JSON.parse(readFileSync('presets/theta-meditation.json', 'utf8')));
    const next = planSwitch(plan.layers, theta.layers, 0.4, fresh);
    expect(next.messages).toEqual([
      { type: 'set', layer: 'beat', params: { freq: 160 }, glide: 0.4 },
      { type: 'set', layer: 'bed', params: { gain: '-28dB' }, glide: 0.4 },
    ]);
    expect(next.removals).toEqual([]);
  });
});

/** WCAG relative luminance of `#rrggbb`. */
function luminance(hex: string): number {
  const c = [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16) / 255);
  const lin = c.map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
  return 0.2126 * lin[0]! + 0.7152 * lin[1]! + 0.0722 * lin[2]!;
}
const contrast = (a: string, b: string) => {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x! + 0.05) / (y! + 0.05);
};

describe('style sheet', () => {
  it('text colours pass WCAG AA (4.5:1) on every background they are used on', () => {
    const css = readFileSync(join(PUBLIC_DIR, 'ui', 'style.css'), 'utf8');
    const vars = Object.fromEntries(
      [...css.matchAll(/--([\w-]+):\s*(#[0-9a-f]{6})\b/gi)].map((m) => [m[1], m[2]]),
    );
    for (const fg of ['text', 'dim', 'accent', 'accent-2', 'warn', 'bad']) {
      for (const bg of ['bg', 'panel', 'panel-2']) {
        expect(contrast(vars[fg]!, vars[bg]!), `${fg} on ${bg}`).toBeGreaterThanOrEqual(4.5);
      }
    }
    // dark text on the accent buttons and the live pill
    expect(contrast('#0b0e13', vars.accent!)).toBeGreaterThanOrEqual(4.5);
    expect(contrast('#0b0e13', vars.warn!)).toBeGreaterThanOrEqual(4.5);
  });
});
