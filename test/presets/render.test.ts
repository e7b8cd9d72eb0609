import { spawnSync } from 'node:child_process';
/**
 * Presets rendered for real: a timeline glide is phase-continuous, timed sessions reach the
 * values their timeline sets, and `omnisonic render <name>` writes a WAV with the right peaks.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeWav } from '../../src/io/audio-file.js';
import { loadPresetScene, presetValueScene } from '../../src/presets/resolve.js';
import { cliIn, requireComponent } from '../helpers/cli.js';
import { peakFrequency, renderAll, rms, spectrumDb } from '../helpers/signal.js';

const ROOT = join(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'omni-render-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = cliIn(dir);

function preset(extra: Record<string, unknown>): Record<string, unknown> {
  return { name: 'p', description: 'test preset', duration: 2, ...extra };
}

describe('timeline glides', () => {
  it('a 200 -> 400 Hz glide never jumps between samples beyond the bound of a sine at the instantaneous frequency', async () => {
    const sr = 48000;
    const amp = 0.5;
    const { scene } = await presetValueScene(
      preset({
        duration: 3,
        layers: [{ type: 'tone', id: 't', freq: 200, gain: amp }],
        timeline: [{ at: 1, glide: 1, set: { 't.freq': 400 } }],
        master: { fadeIn: 0, fadeOut: 0 },
      }),
      { sampleRate: sr },
    );
    const [x] = renderAll(scene, 256) as [Float64Array];
    // exponential glide from frame sr to 2 sr; the bound uses the larger frequency of each pair
    const freqAt = (n: number) => (n <= sr ? 200 : n >= 2 * sr ? 400 : 200 * 2 ** ((n - sr) / sr));
    let worstRatio = 0;
    for (let n = 0; n + 1 < x.length; n++) {
      const bound = 2 * amp * Math.sin((Math.PI * freqAt(n + 1)) / sr);
      worstRatio = Math.max(worstRatio, Math.abs(x[n + 1]! - x[n]!) / bound);
    }
    expect(worstRatio).toBeLessThanOrEqual(1.001);
    expect(worstRatio).toBeGreaterThan(0.95); // the bound is tight, so it tests something
    const n = 16384;
    expect(peakFrequency(spectrumDb(x, n, 0), sr)).toBeCloseTo(200, 0);
    expect(peakFrequency(spectrumDb(x, n, x.length - n), sr)).toBeCloseTo(400, 0);
    // level stays constant through the glide: no dip or bump from a phase reset
    for (let s = 0; s < 6; s++)
      expect(rms(x, s * sr * 0.5, (s + 1) * sr * 0.5)).toBeCloseTo(amp / Math.SQRT2, 2);
  });

  it('a binaural glide of carrier and beat stays within the smooth bound in both ears', async () => {
    const sr = 48000;
    const amp = 0.4;
    const { scene } = await presetValueScene(
      preset({
        duration: 3,
        layers: [{ type: 'binaural', id: 'b', carrier: 200, beat: 4, gain: amp }],
        timeline: [{ at: 1, glide: 1, set: { 'b.carrier': 400, 'b.beat': 40 } }],
        master: { fadeIn: 0, fadeOut: 0 },
      }),
      { sampleRate: sr },
    );
    const chans = renderAll(scene, 1000);
    expect(chans).toHaveLength(2);
    const fTop = 400 + 20; // the right ear's highest frequency
    for (const x of chans) {
      let worst = 0;
      for (let n = 0; n + 1 < x.length; n++) worst = Math.max(worst, Math.abs(x[n + 1]! - x[n]!));
      expect(worst).toBeLessThanOrEqual(2 * amp * Math.sin((Math.PI * fTop) / sr) * 1.001);
    }
    const n = 16384;
    const end = chans[0]!.length - n;
    expect(peakFrequency(spectrumDb(chans[0]!, n, end), sr)).toBeCloseTo(380, 0);
    expect(peakFrequency(spectrumDb(chans[1]!, n, end), sr)).toBeCloseTo(420, 0);
  });

  it('an isochronic rate glide slows or speeds the pulses smoothly (fine steps, no jumps back)', async () => {
    const sr = 8000;
    const { scene } = await presetValueScene(
      preset({
        duration: 6,
        layers: [{ type: 'isochronic', id: 'p', freq: 400, rate: 4, gain: 0.5 }],
        timeline: [{ at: 1, glide: 3, set: { 'p.rate': 8 } }],
      }),
      { sampleRate: sr },
    );
    const [x] = renderAll(scene) as [Float64Array];
    // pulse onsets: where the 2 ms RMS crosses half the tone's RMS upwards
    const win = 16;
    const onsets: number[] = [];
    let on = false;
    for (let i = 0; i + win <= x.length; i += win) {
      const level = rms(x, i, i + win);
      const now = level > 0.5 * (0.5 / Math.SQRT2);
      if (now && !on) onsets.push(i / sr);
      on = now;
    }
    const gaps = onsets.slice(1).map((t, i) => t - onsets[i]!);
    const mean = (a: number[]) => a.reduce((p, c) => p + c, 0) / a.length;
    expect(mean(gaps.filter((_, i) => onsets[i]! < 1))).toBeCloseTo(1 / 4, 2);
    expect(mean(gaps.filter((_, i) => onsets[i]! > 4.2))).toBeCloseTo(1 / 8, 2);
    const during = gaps.filter((_, i) => onsets[i]! > 1.2 && onsets[i]! < 3.8);
    expect(during.length).toBeGreaterThan(10);
    // it glides: the gaps shrink gradually from about 1/4.2 s to about 1/7.6 s
    expect(during[0]!).toBeGreaterThan(0.2);
    expect(during[during.length - 1]!).toBeLessThan(0.14);
    expect(new Set(during.map((g) => Math.round(g * 100))).size).toBeGreaterThan(5);
    for (let i = 1; i < during.length; i++)
      expect(during[i]!).toBeLessThanOrEqual(during[i - 1]! + 2 * (win / sr));
  });

  it('an endless render of a preset (play, WebSocket) keeps its timeline', async () => {
    const sr = 8000;
    const { scene } = await loadPresetScene('beta-focus', {
      sampleRate: sr,
      durationOverride: Number.POSITIVE_INFINITY,
    });
    expect(scene.duration).toBe(Number.POSITIVE_INFINITY);
    const { Engine } = await import('../../src/render/engine.js');
    const engine = new Engine(scene);
    expect(engine.totalFrames).toBe(Number.POSITIVE_INFINITY);
    const block = [new Float64Array(4096), new Float64Array(4096)];
    const l = new Float64Array(70 * sr);
    const r = new Float64Array(70 * sr);
    for (let pos = 0; pos < l.length; pos += 4096) {
      const n = engine.render(block, Math.min(4096, l.length - pos));
      l.set(block[0]!.subarray(0, n), pos);
      r.set(block[1]!.subarray(0, n), pos);
    }
    // the beat has glided from 12 to 18 Hz by one minute in
    const off = 62 * sr;
    const beat = peakFrequency(spectrumDb(r, 32768, off), sr) - peakFrequency(spectrumDb(l, 32768, off), sr);
    expect(beat).toBeCloseTo(18, 1);
  });

  it('beta-to-theta reaches 6 Hz on a 180 Hz carrier near its end and starts at 18 Hz', async () => {
    const sr = 8000;
    const { scene } = await loadPresetScene('beta-to-theta', { sampleRate: sr });
    const [l, r] = renderAll(scene) as [Float64Array, Float64Array];
    const n = 32768;
    const endWindow = l.length - 2 * 60 * sr; // 28 min in: before the final fade
    const fl = peakFrequency(spectrumDb(l, n, endWindow), sr);
    const fr = peakFrequency(spectrumDb(r, n, endWindow), sr);
    expect(fr - fl).toBeCloseTo(6, 1);
    expect((fl + fr) / 2).toBeCloseTo(180, 0);
    const startWindow = 60 * sr;
    expect(
      peakFrequency(spectrumDb(r, n, startWindow), sr) - peakFrequency(spectrumDb(l, n, startWindow), sr),
    ).toBeCloseTo(18, 1);
    // the last sample is silent after the final fade
    expect(Math.abs(l[l.length - 1]!)).toBeLessThan(1e-3);
  });
});

describe('presets from memory (REST bodies)', () => {
  it('file layers can be refused for untrusted input', async () => {
    const body = preset({ layers: [{ type: 'file', path: '/etc/passwd' }] });
    await expect(presetValueScene(body, { allowFiles: false, shown: 'request' })).rejects.toThrow(
      'request: layers[0]: file layers are not allowed here',
    );
  });

  it('a file layer mixes in a WAV relative to the preset, looped', async () => {
    const sr = 8000;
    const tone = Float64Array.from(
      { length: sr / 2 },
      (_, i) => 0.5 * Math.sin((2 * Math.PI * 500 * i) / sr),
    );
    const { wavHeader } = await import('../../src/io/wav.js');
    const pcm = new Int16Array(tone.length);
    for (let i = 0; i < tone.length; i++) pcm[i] = Math.round(tone[i]! * 32767);
    const header = wavHeader({ sampleRate: sr, channels: 1, format: 's16', dataBytes: pcm.byteLength });
    mkdirSync(join(dir, 'mem'), { recursive: true });
    writeFileSync(join(dir, 'mem/beep.wav'), Buffer.concat([Buffer.from(header), Buffer.from(pcm.buffer)]));
    const { scene } = await presetValueScene(
      preset({ duration: 2, layers: [{ type: 'file', path: 'beep.wav', loop: true, gain: 1 }] }),
      { sampleRate: sr, baseFile: join(dir, 'mem/preset.json') },
    );
    const [x] = renderAll(scene) as [Float64Array];
    // looped: the tone is still there in the last half second
    expect(peakFrequency(spectrumDb(x, 2048, x.length - 3000), sr)).toBeCloseTo(500, 0);
    expect(rms(x, x.length - 3000, x.length - 1000)).toBeGreaterThan(0.2);
  });
});

describe('render from the CLI', () => {
  it('renders a built-in preset by name: the just major chord has its three peaks', () => {
    const r = cli(['render', 'just-major-chord', '-d', '8', '-r', '16000', '-o', 'chord.wav']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const audio = decodeWav(readFileSync(join(dir, 'chord.wav')), 'chord.wav');
    expect(audio.sampleRate).toBe(16000);
    expect(audio.channels).toHaveLength(1);
    const db = spectrumDb(audio.channels[0]!, 65536, 16000);
    const binHz = 16000 / 65536;
    const levelAt = (f: number) => Math.max(...[-2, -1, 0, 1, 2].map((d) => db[Math.round(f / binHz) + d]!));
    for (const f of [261.63, 327.04, 392.44]) expect(levelAt(f)).toBeGreaterThan(-10);
    // the equal-tempered third (329.63 Hz) is not there before the switch at 10 s
    expect(levelAt(329.63)).toBeLessThan(-40);
  });

  it('renders a binaural preset: left and right peaks differ by the beat', () => {
    const r = cli(['render', 'alpha-relax', '-d', '6', '-r', '8000', '-o', 'alpha.wav']);
    expect(r.code).toBe(0);
    const audio = decodeWav(readFileSync(join(dir, 'alpha.wav')), 'alpha.wav');
    expect(audio.channels).toHaveLength(2);
    const fl = peakFrequency(spectrumDb(audio.channels[0]!, 32768, 8000), 8000);
    const fr = peakFrequency(spectrumDb(audio.channels[1]!, 32768, 8000), 8000);
    expect(fl).toBeCloseTo(195, 0);
    expect(fr).toBeCloseTo(205, 0);
  });

  it('uses the preset rate without -r, and -r overrides it', () => {
    expect(cli(['render', 'test-signals', '-d', '1', '-o', 'ts.wav']).code).toBe(0);
    expect(decodeWav(readFileSync(join(dir, 'ts.wav')), 'ts.wav').sampleRate).toBe(48000);
    expect(cli(['render', 'test-signals', '-d', '1', '-r', '44100', '-o', 'ts2.wav']).code).toBe(0);
    expect(decodeWav(readFileSync(join(dir, 'ts2.wav')), 'ts2.wav').sampleRate).toBe(44100);
    // its sweep ends at 20 kHz: too high for 8 kHz, which is a clear error
    const low = cli(['render', 'test-signals', '-r', '8000', '-o', 'ts3.wav']);
    expect(low.code).toBe(2);
    expect(low.stderr).toContain(
      'test-signals.json: timeline[2].set["sweep.freq"]: must be > 0 and < 4000 (Nyquist), got 20000',
    );
  });

  it('finds user presets in $XDG_CONFIG_HOME/omnisonic/presets and --preset-dir, which come first', () => {
    const user = join(dir, 'config/omnisonic/presets');
    const extra = join(dir, 'extra');
    mkdirSync(user, { recursive: true });
    mkdirSync(extra, { recursive: true });
    const mine = (freq: number) =>
      JSON.stringify(
        preset({ name: 'mine', layers: [{ type: 'tone', freq }], description: `a ${freq} Hz tone` }),
      );
    writeFileSync(join(user, 'mine.json'), mine(300));
    writeFileSync(join(extra, 'mine.json'), mine(500));
    expect(cli(['render', 'mine', '-r', '8000', '-o', 'u.wav']).code).toBe(0);
    const u = decodeWav(readFileSync(join(dir, 'u.wav')), 'u.wav').channels[0]!;
    expect(peakFrequency(spectrumDb(u, 8192), 8000)).toBeCloseTo(300, 0);
    expect(cli(['render', 'mine', '--preset-dir', extra, '-r', '8000', '-o', 'e.wav']).code).toBe(0);
    const e = decodeWav(readFileSync(join(dir, 'e.wav')), 'e.wav').channels[0]!;
    expect(peakFrequency(spectrumDb(e, 8192), 8000)).toBeCloseTo(500, 0);
    // HOME is used when XDG_CONFIG_HOME is not set
    const home = join(dir, 'home');
    mkdirSync(join(home, '.config/omnisonic/presets'), { recursive: true });
    writeFileSync(join(home, '.config/omnisonic/presets/homed.json'), mine(350));
    const h = cli(['presets', 'list', '--json'], { XDG_CONFIG_HOME: '', HOME: home });
    const listed = JSON.parse(h.stdout) as { name: string; origin: string }[];
    expect(listed.find((p) => p.name === 'homed')?.origin).toBe('user');
  });

  it('lists an invalid user preset with its error instead of failing the list', () => {
    const user = join(dir, 'config-bad/omnisonic/presets');
    mkdirSync(user, { recursive: true });
    writeFileSync(join(user, 'broken.json'), '{ "name": "broken", ');
    const r = cli(['presets', 'list', '--json'], { XDG_CONFIG_HOME: join(dir, 'config-bad') });
    expect(r.code).toBe(0);
    const broken = (JSON.parse(r.stdout) as { name: string; error?: string }[]).find(
      (p) => p.name === 'broken',
    );
    expect(broken?.error).toMatch(/^broken\.json: line 1, column \d+: invalid JSON/);
  });

  it('a folder given as a preset is a clear error', () => {
    mkdirSync(join(dir, 'folder.json'), { recursive: true });
    const r = cli(['render', 'folder.json', '-o', 'f.wav']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('folder.json: is a folder, not a preset file');
  });

  it('presets list, list --json, show and validate', () => {
    const list = cli(['presets', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^beta-to-theta +30m +A 30-minute binaural descent/m);
    const json = JSON.parse(cli(['presets', 'list', '--json']).stdout) as {
      name: string;
      duration: number;
    }[];
    expect(json.length).toBeGreaterThanOrEqual(12);
    expect(json.find((p) => p.name === 'delta-sleep')?.duration).toBe(2700);
    // a bare `<name>.json` that is not a file here is the preset of that name
    expect(JSON.parse(cli(['presets', 'show', 'alpha-relax.json']).stdout).name).toBe('alpha-relax');
    const typo = cli(['presets', 'show', 'gama-40hz.json']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain(
      "gama-40hz.json: no such file, and no preset named 'gama-40hz' (did you mean gamma-40hz?)",
    );
    const show = cli(['presets', 'show', 'gamma-40hz']);
    expect(show.code).toBe(0);
    expect(JSON.parse(show.stdout).layers[0]).toMatchObject({ type: 'binaural', beat: 40 });
    const valid = cli(['presets', 'validate', join(ROOT, 'presets/alpha-relax.json')]);
    expect(valid.code).toBe(0);
    expect(valid.stderr).toMatch(/^ok /);
    expect(valid.stdout).toBe('');
  });

  it('puts the name and description into encoded metadata', ({ skip }) => {
    const r = cli(['render', 'gamma-40hz', '-d', '1', '-o', 'g.flac']);
    if (r.code !== 0 && /ffmpeg/i.test(r.stderr) && !requireComponent('FFmpeg', false)) return skip();
    expect(r.code).toBe(0);
    const probe = spawnSync('ffprobe', ['-v', 'quiet', '-show_format', '-of', 'json', join(dir, 'g.flac')], {
      encoding: 'utf8',
    });
    if (probe.error && !requireComponent('ffprobe', false)) return skip();
    const tags = (JSON.parse(probe.stdout).format?.tags ?? {}) as Record<string, string>;
    const lower = Object.fromEntries(Object.entries(tags).map(([k, v]) => [k.toLowerCase(), v]));
    expect(lower.title).toBe('gamma-40hz');
  });
});
