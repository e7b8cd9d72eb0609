import type { Engine } from '../../render/engine.js';
import type { Scene } from '../../render/scene.js';
import type { Player } from './player.js';

const NAMES = ['C', 'C#', 'D', 'D#', 'E', 'F', 'F#', 'G', 'G#', 'A', 'A#', 'B'];
const SEMITONE = 2 ** (1 / 12);
/** Glide of a pitch change (no click). */
const GLIDE_SEC = 0.05;

/** Nearest note name and cents of a frequency: 440 -> 'A4', 446 -> 'A4+24c'. */
export function noteOf(hz: number, a4 = 440): string {
  const midi = 69 + 12 * Math.log2(hz / a4);
  const n = Math.round(midi);
  const cents = Math.round((midi - n) * 100);
  const name = `${NAMES[((n % 12) + 12) % 12]}${Math.floor(n / 12) - 1}`;
  return cents === 0 ? name : `${name}${cents > 0 ? '+' : ''}${cents}c`;
}

/** Split terminal input into keys: arrows are 3-byte escape sequences, the rest single characters. */
export function splitKeys(s: string): string[] {
  const keys: string[] = [];
  for (let i = 0; i < s.length; ) {
    const seq = s[i] === '\x1b' && (s[i + 1] === '[' || s[i + 1] === 'O') && i + 2 < s.length;
    keys.push(s.slice(i, seq ? i + 3 : i + 1));
    i += seq ? 3 : 1;
  }
  return keys;
}

/** Frequency of the first layer when it has one (tone, binaural, isochronic). */
function firstFreq(scene: Scene): number | null {
  const l = scene.layers[0];
  if (!l) return null;
  if (l.type === 'binaural') return l.carrier;
  if (l.type === 'tone' || l.type === 'isochronic') return l.freq;
  return null;
}

/**
 * Keyboard control of a playing {@link Player} on a terminal (raw mode): up/down a semitone
 * (gliding), left/right volume -/+ 1 dB, space pause/resume, q or Ctrl-C quit with a fade. One
 * status line on stderr is redrawn in place.
 *
 * @example
 * const ui = new Interactive(player, engine, scene); await player.run(); ui.close();
 */
export class Interactive {
  private readonly player: Player;
  private readonly engine: Engine;
  private freq: number | null;
  private readonly timer: NodeJS.Timeout;
  private readonly onData: (d: Buffer) => void;
  private quitting = false;

  constructor(player: Player, engine: Engine, scene: Scene) {
    this.player = player;
    this.engine = engine;
    this.freq = firstFreq(scene);
    // several keys may arrive in one chunk: arrows are escape sequences, the rest single bytes
    this.onData = (d) => {
      for (const k of splitKeys(d.toString('latin1'))) this.key(k);
    };
    process.stdin.setRawMode(true);
    process.stdin.resume();
    process.stdin.on('data', this.onData);
    this.timer = setInterval(() => this.draw(), 250);
    this.draw();
  }

  /** Apply one key press (an escape sequence for arrows). */
  key(k: string): void {
    const p = this.player;
    if (k === '\x1b[A' || k === '\x1bOA') this.shift(SEMITONE);
    else if (k === '\x1b[B' || k === '\x1bOB') this.shift(1 / SEMITONE);
    else if (k === '\x1b[C' || k === '\x1bOC') p.volumeDb += 1;
    else if (k === '\x1b[D' || k === '\x1bOD') p.volumeDb -= 1;
    else if (k === ' ') p.setPaused(!p.paused);
    else if (k === 'q' || k === 'Q' || k === '\x03' || k === '\x1b') {
      this.quitting = true;
      p.stop();
    }
    this.draw();
  }

  private shift(ratio: number): void {
    if (this.freq === null) return;
    const next = this.freq * ratio;
    if (next < 16 || next > this.engine.sampleRate * 0.45) return;
    this.freq = next;
    this.engine.set(0, { freq: next }, GLIDE_SEC);
  }

  private draw(): void {
    const p = this.player;
    const pitch = this.freq === null ? '' : `${this.freq.toFixed(2)} Hz (${noteOf(this.freq)})  `;
    const state = this.quitting ? 'stopping' : p.paused ? 'paused ' : 'playing';
    const line = `${pitch}vol ${p.volumeDb >= 0 ? ' ' : ''}${p.volumeDb} dB  ${state}  ${p.position.toFixed(1)} s   [up/down pitch, left/right volume, space pause, q quit]`;
    process.stderr.write(`\r\x1b[2K${line}`);
  }

  /** Restore the terminal. */
  close(): void {
    clearInterval(this.timer);
    this.draw();
    process.stderr.write('\n');
    process.stdin.off('data', this.onData);
    process.stdin.setRawMode(false);
    process.stdin.pause();
  }
}
