/**
 * `omnisonic suggest ... --midi`: with `--midi -` stdout carries only the MIDI file (the table
 * goes to stderr, `--json` is refused); a binaural suggestion is exported as two ears, each on a
 * channel panned hard left or right, bent to its exact frequency.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseMidi } from '../../src/midi/smf.js';
import { midiToHz } from '../../src/render/values.js';
import { run, tempDir } from '../helpers/cli.js';

const dir = tempDir('omni-suggest-midi-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('suggest --midi', () => {
  it('--midi - writes only the MIDI file on stdout, the table on stderr', () => {
    const r = run(['suggest', 'C4', 'E4', '--midi', '-']);
    expect(r.status).toBe(0);
    expect(r.stdout.subarray(0, 4).toString('latin1')).toBe('MThd');
    const song = parseMidi(new Uint8Array(r.stdout));
    expect(song.noteCount).toBeGreaterThan(2);
    expect(r.stderr).toMatch(/C4/);
  });

  it('refuses --midi - with --json (both want stdout): exit 2, nothing on stdout', () => {
    const r = run(['suggest', 'C4', 'E4', '--midi', '-', '--json']);
    expect(r.status).toBe(2);
    expect(r.stdout.length).toBe(0);
    expect(r.stderr).toMatch(/--midi - and --json both want stdout/);
  });

  it('exports a binaural suggestion as two ears: panned left and right, each at its exact frequency', () => {
    const path = join(dir, 'b.mid');
    const r = run(['suggest', 'A3', '--goal', 'binaural', '--midi', path, '--json']);
    expect(r.status).toBe(0);
    const result = JSON.parse(r.stdout.toString()) as {
      suggestions: { left: number; right: number; frequency: number }[];
    };
    const song = parseMidi(readFileSync(path));
    const bend = new Array(16).fill(8192);
    const pan = new Array(16).fill(64);
    const steps = new Map<number, { hz: number; pan: number }[]>();
    for (const e of song.events) {
      const [s, d1, d2] = e.bytes as [number, number, number];
      const ch = s & 15;
      if (s >> 4 === 0xe) bend[ch] = (d2 << 7) | d1;
      if (s >> 4 === 0xb && d1 === 10) pan[ch] = d2;
      if (s >> 4 === 0x9 && d2 > 0) {
        const list = steps.get(e.time) ?? [];
        list.push({ hz: midiToHz(d1 + ((bend[ch] - 8192) / 8192) * 2), pan: pan[ch] });
        steps.set(e.time, list);
      }
    }
    const times = [...steps.keys()].sort((a, b) => a - b);
    expect(times).toHaveLength(result.suggestions.length + 1);
    result.suggestions.forEach((s, i) => {
      const notes = steps.get(times[i + 1]!)!;
      const left = notes.filter((n) => n.pan === 0);
      const right = notes.filter((n) => n.pan === 127);
      expect(left).toHaveLength(1);
      expect(right).toHaveLength(1);
      expect(Math.abs(left[0]!.hz - s.left)).toBeLessThan(0.02);
      expect(Math.abs(right[0]!.hz - s.right)).toBeLessThan(0.02);
      expect(Math.abs(right[0]!.hz - left[0]!.hz)).toBeGreaterThan(0.4);
    });
  });
});
