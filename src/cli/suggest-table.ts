import type { ChalkInstance } from 'chalk';
import { spellingForFrequencies } from '../harmony/analysis/key.js';
import { nameChordHz } from '../harmony/chords.js';
import type { Suggestion, SuggestResponse } from '../harmony/recommend.js';

/**
 * Colours for a stream (stdout or stderr): off with NO_COLOR (also set by --no-color) or when
 * the stream is not a terminal.
 */
export async function colorsFor(stream: NodeJS.WriteStream): Promise<ChalkInstance> {
  const { Chalk, supportsColor, supportsColorStderr } = await import('chalk');
  const off = process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '';
  const support = stream === process.stderr ? supportsColorStderr : supportsColor;
  return new Chalk({ level: off || !stream.isTTY || !support ? 0 : support.level });
}

const hz = (f: number): string => (f >= 1000 ? f.toFixed(1) : f.toFixed(2));

/** Pads to a width, counting only visible characters (colour codes excluded). */
function pad(text: string, width: number, visible = text.length): string {
  return text + ' '.repeat(Math.max(0, width - visible));
}

function scoreColor(c: ChalkInstance, score: number): (s: string) => string {
  return score >= 0.7 ? c.green : score >= 0.45 ? c.yellow : c.red;
}

/**
 * Prints suggestions as a readable table: a header with the input notes and their consonance,
 * then one row per suggestion (rank, frequency, note and cents, ratio, interval, score) with its
 * reasons beneath.
 *
 * @example await printSuggestTable(result, { goal: 'consonant', tuning: 'just' }, process.stdout)
 */
export async function printSuggestTable(
  result: SuggestResponse,
  ctx: { goal: string; tuning: string; from?: string; a4?: number },
  stream: NodeJS.WriteStream,
): Promise<void> {
  const c = await colorsFor(stream);
  const { input } = result;
  const lines: string[] = [];
  const freqs = input.frequencies.map(hz).join(', ');
  const a4 = ctx.a4 ?? 440;
  const chord =
    input.frequencies.length > 1
      ? nameChordHz(input.frequencies, a4, spellingForFrequencies(input.frequencies, a4))
      : undefined;
  const named = chord && chord.quality !== 'unknown' && chord.quality !== 'note' ? `, ${chord.name}` : '';
  lines.push(
    `${c.bold(input.notes.join(' '))}${named} ${c.dim(`(${freqs} Hz)`)}  consonance ${c.bold(input.consonance.toFixed(3))}  roughness ${input.roughness.toFixed(3)}  harmonicity ${input.harmonicity.toFixed(3)}`,
  );
  const binaural = ctx.goal === 'binaural';
  lines.push(
    c.dim(
      `${ctx.from ? `from ${ctx.from}; ` : ''}goal ${ctx.goal}${binaural ? '' : `, ${ctx.tuning} tuning`}`,
    ),
  );
  lines.push('');
  if (result.suggestions.length === 0) {
    lines.push('no suggestions in this range; try a wider --range');
    stream.write(`${lines.join('\n')}\n`);
    return;
  }
  const rows = result.suggestions.map((s, i) => (binaural ? binauralCells(s, i) : noteCells(s, i)));
  const head = binaural
    ? ['#', 'band', 'beat Hz', 'carrier Hz', 'left / right Hz', 'score']
    : ['#', 'Hz', 'note', 'ratio', 'interval', 'score'];
  const widths = head.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k]!.length)));
  lines.push(c.bold(head.map((h, k) => pad(h, widths[k]!)).join('  ')));
  result.suggestions.forEach((s, i) => {
    const cells = rows[i]!;
    const last = cells.length - 1;
    const row = cells.map((cell, k) => {
      const padded = pad(cell, widths[k]!);
      return k === last ? scoreColor(c, s.score)(padded) : k === 0 ? c.bold(padded) : padded;
    });
    lines.push(row.join('  ').trimEnd());
    const indent = ' '.repeat(widths[0]! + 2);
    for (const reason of s.reasons) {
      const isProfile = reason.startsWith('your profile');
      lines.push(`${indent}${isProfile ? c.cyan(`· ${reason}`) : c.dim(`· ${reason}`)}`);
    }
  });
  stream.write(`${lines.join('\n')}\n`);
}

function noteCells(s: Suggestion, i: number): string[] {
  return [String(i + 1), hz(s.frequency), s.note, s.ratio, s.interval, s.score.toFixed(3)];
}

function binauralCells(s: Suggestion, i: number): string[] {
  return [
    String(i + 1),
    s.band ?? '',
    s.beat !== undefined ? String(s.beat) : '',
    `${hz(s.frequency)} (${s.note})`,
    s.left !== undefined && s.right !== undefined ? `${hz(s.left)} / ${hz(s.right)}` : '',
    s.score.toFixed(3),
  ];
}
