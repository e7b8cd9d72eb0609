// Values of the control page: frequencies typed as Hz or note names (`440`, `1.5k`, `A4`,
// `C#5`, `Bb3`, `A4+15c`), gains in dB, and their display. Pure functions, no DOM: the page,
// the worklet's tests and the page's tests all use them.

export const NOTE_NAMES = ['C', 'C#', 'D', 'D#', 'E', 'F', 'F#', 'G', 'G#', 'A', 'A#', 'B'];
const STEPS = { c: 0, d: 2, e: 4, f: 5, g: 7, a: 9, b: 11 };
const NOTE_RE = /^([A-Ga-g])([#b♯♭]{0,2})(-?\d{1,2})(?:\s*([+-]\d+(?:\.\d+)?)\s*c(?:ents?)?)?$/;
const HZ_RE = /^\+?(\d+(?:\.\d*)?|\.\d+)(?:e([+-]?\d+))?\s*(hz|k|khz)?$/i;

/** Lowest and highest frequency the page offers (Hz). */
export const F_MIN = 20;
export const F_MAX = 20000;

/** Frequency of a fractional MIDI note number (A4 = 69 = 440 Hz). */
export const midiToHz = (midi) => 440 * 2 ** ((midi - 69) / 12);
/** Fractional MIDI note number of a frequency. */
export const hzToMidi = (hz) => 69 + 12 * Math.log2(hz / 440);

/**
 * Parse a frequency typed by the user: `{ hz }`, or `{ error }` with a one-line reason.
 * Plain numbers are taken exactly as typed (`440` is 440, not a rounded note).
 */
export function parseFrequency(text, maxHz = F_MAX) {
  const s = String(text).trim();
  if (s === '') return { error: 'type a frequency in Hz or a note such as A4+15c' };
  let hz;
  const n = HZ_RE.exec(s);
  if (n) {
    hz = Number(n[1]) * 10 ** Number(n[2] ?? 0);
    if (n[3] && n[3].toLowerCase() !== 'hz') hz *= 1000;
  } else {
    const m = NOTE_RE.exec(s);
    if (!m) return { error: `'${s}' is neither Hz nor a note name (A4, C#5, Bb3, A4+15c)` };
    let semi = STEPS[m[1].toLowerCase()];
    for (const ch of m[2]) semi += ch === '#' || ch === '♯' ? 1 : -1;
    const midi = (Number(m[3]) + 1) * 12 + semi + (m[4] ? Number(m[4]) / 100 : 0);
    hz = midiToHz(midi);
  }
  if (!Number.isFinite(hz) || hz <= 0) return { error: `${s}: a frequency must be above 0 Hz` };
  if (hz >= maxHz) return { error: `${s}: must be below ${fmtHz(maxHz)} Hz` };
  return { hz };
}

/** Nearest note and the cents from it: `{ name: 'A4', cents: 15.2, label: 'A4+15c' }`. */
export function nearestNote(hz) {
  const midi = hzToMidi(hz);
  const n = Math.round(midi);
  const cents = Math.round((midi - n) * 1000) / 10;
  const name = `${NOTE_NAMES[((n % 12) + 12) % 12]}${Math.floor(n / 12) - 1}`;
  const c = Math.round(cents);
  return { name, cents, label: c === 0 ? name : `${name}${c > 0 ? '+' : ''}${c}c` };
}

/** Hz with up to three decimals and no trailing zeros: 440, 261.626, 0.5. */
export function fmtHz(hz) {
  return String(Math.round(hz * 1000) / 1000);
}

/** Round a frequency to the page's resolution (0.001 Hz). */
export const roundHz = (hz) => Math.round(hz * 1000) / 1000;

/** Cents of `hz` above 20 Hz: the position of a frequency slider. */
export const hzToCents = (hz) => 1200 * Math.log2(hz / F_MIN);
/** Frequency of a slider position in cents above 20 Hz. */
export const centsToHz = (cents) => F_MIN * 2 ** (cents / 1200);
/** Move a frequency by `cents`, rounded to 0.001 Hz. */
export const nudgeHz = (hz, cents) => roundHz(hz * 2 ** (cents / 1200));

/** Linear gain of dB (-Infinity gives 0). */
export const dbToLinear = (db) => (db === Number.NEGATIVE_INFINITY ? 0 : 10 ** (db / 20));
/** dB of a linear gain, rounded to 0.01 dB (0 gives -Infinity). */
export const linearToDb = (g) => (g <= 0 ? Number.NEGATIVE_INFINITY : Math.round(2000 * Math.log10(g)) / 100);

/** Parse a gain typed in dB (`-12`, `-12 dB`, `-inf`, `off`): `{ db }` or `{ error }`. */
export function parseDb(text, maxDb = 24) {
  const s = String(text)
    .trim()
    .toLowerCase()
    .replace(/\s*dbfs?$/, '');
  if (s === '-inf' || s === '-∞' || s === 'off') return { db: Number.NEGATIVE_INFINITY };
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(s)) return { error: `'${text}' is not a gain in dB (e.g. -12)` };
  const db = Number(s);
  if (db > maxDb) return { error: `${db} dB is above the limit of +${maxDb} dB` };
  return { db };
}

/** dB for display: `-12`, `-inf`. */
export const fmtDb = (db) => (db === Number.NEGATIVE_INFINITY ? '-inf' : String(Math.round(db * 100) / 100));

/** A gain for the wire: dB text the server parses exactly (`-12dB`), or 0 for silence. */
export const gainToWire = (db) => (db === Number.NEGATIVE_INFINITY ? 0 : `${db}dB`);

/**
 * A gain from a preset or a message (linear number or dB text such as `-12dB`) in dB.
 * @returns {number} dB, -Infinity for 0
 */
export function gainFromWire(v) {
  if (typeof v === 'number') return linearToDb(v);
  const m = /^\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*db(fs)?\s*$/i.exec(String(v));
  if (m) return Number(m[1]);
  const x = Number(v);
  return Number.isFinite(x) ? linearToDb(x) : -12;
}
