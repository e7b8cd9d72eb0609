import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { CLI, requireComponent, tempDir } from './helpers/cli.js';
import { peakFrequency, spectrumDb } from './helpers/signal.js';
import { HAVE_TMUX, sq, TmuxRun } from './helpers/tmux.js';

// The CLI in a pseudo-terminal of a real size (120 x 40), driven through tmux: the spinner,
// the interactive keyboard and the refusals that only happen on a terminal.
const ROOT = join(import.meta.dirname, '..');
const CI = process.env.CI === 'true';
const ALSA = join(ROOT, 'test', 'fixtures', 'alsa', 'asound.conf');
const node = (args: string) =>
  `env NO_COLOR=1 ALSA_CONFIG_PATH=${sq(ALSA)} ${sq(process.execPath)} ${sq(CLI)} ${args}`;

if (!HAVE_TMUX) {
  const what = 'tmux (apt-get install tmux), for the pseudo-terminal tests,';
  if (CI) it(`${what} is required when CI=true`, () => expect(HAVE_TMUX).toBe(true));
  else if (!requireComponent(what, false)) it.skip(`${what} is not installed`, () => {});
}

const HAVE_SPEAKER =
  existsSync(join(ROOT, 'node_modules', 'speaker')) &&
  spawnSync(process.execPath, ['-e', "require('speaker')"], {
    cwd: ROOT,
    env: { ...process.env, ALSA_CONFIG_PATH: ALSA },
  }).status === 0;

if (HAVE_TMUX && !CI)
  requireComponent('speaker with ALSA (npm install speaker), for the interactive play test,', HAVE_SPEAKER);

describe.runIf(HAVE_TMUX)('the CLI in a 120 x 40 terminal', () => {
  const dir = tempDir('omni-pty-');
  const runs: TmuxRun[] = [];
  afterEach(() => {
    for (const r of runs.splice(0)) r.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const open = (name: string, command: string) => {
    const r = new TmuxRun(dir, name, command);
    runs.push(r);
    return r;
  };

  it('a render over 120 s to a file shows the progress spinner and exits 0', async () => {
    const t = open('long', node('tone 200 --binaural 10 -d 130 -r 8000 -o long.wav'));
    t.start();
    const code = await t.exitCode();
    const log = t.log();
    expect(code, `${t.screen()}\n${log}`).toBe(0);
    expect(log).toContain('rendering');
    expect(log).not.toContain('error');
    // the spinner cleans its line: nothing is left on the screen but tmux's own last line
    // (tmux may draw the process's last bytes a moment after it has exited)
    const clean = (s: string) => s.replace(/Pane is dead.*/, '').trim();
    await t.waitFor((s) => clean(s) === '', 3000);
    expect(clean(t.screen())).toBe('');
    const wav = readFileSync(join(dir, 'long.wav'));
    expect(wav.readUInt32LE(40)).toBe(130 * 8000 * 4);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('an encoded render over 20 s shows the spinner too', async () => {
    const probe = spawnSync('sh', ['-c', 'command -v ffmpeg']).status === 0;
    if (!probe) {
      if (CI) throw new Error('ffmpeg is required under CI');
      return;
    }
    const t = open('enc', node('tone 300 -d 25 -r 8000 -o enc.flac'));
    t.start();
    expect(await t.exitCode(), t.log()).toBe(0);
    expect(t.log()).toContain('rendering');
    expect(statSync(join(dir, 'enc.flac')).size).toBeGreaterThan(1000);
  });

  it('-o - on a terminal is refused with exit 2, as no -o is', async () => {
    for (const [name, args] of [
      ['dash', 'tone 440 -d 1 -o -'],
      ['none', 'tone 440 -d 1'],
      ['mixdash', 'mix 440 550 -d 1 -o -'],
    ] as const) {
      const t = open(name, node(args));
      t.start();
      expect(await t.exitCode(), t.screen()).toBe(2);
      expect(t.screen()).toContain('stdout is a terminal');
      // no binary was written to the screen
      expect(t.log()).not.toContain('RIFF');
    }
  });

  it.runIf(HAVE_SPEAKER || CI)(
    'play --interactive: arrow keys move the pitch and the volume, q quits',
    async () => {
      const cap = join(dir, 'i.raw');
      const t = open('play', node(`play 440 -i --dither none --device capture:FILE=${sq(cap)}`));
      t.start();
      expect(await t.waitFor((s) => s.includes('440.00 Hz (A4)'))).toBe(true);
      for (let i = 0; i < 12; i++) t.keys('Up');
      for (let i = 0; i < 6; i++) t.keys('Left');
      expect(await t.waitFor((s) => /880\.00 Hz \(A5\)\s+vol -6 dB/.test(s)), t.screen()).toBe(true);
      await new Promise((r) => setTimeout(r, 500));
      t.keys('q');
      expect(await t.exitCode(20_000), t.screen()).toBe(0);
      const b = readFileSync(cap);
      const x = Float64Array.from(new Int16Array(b.buffer, b.byteOffset, b.length >> 1), (v) => v / 32768);
      const sr = 48000;
      expect(peakFrequency(spectrumDb(x.subarray(0, 8192), 8192), sr)).toBeCloseTo(440, 0);
      const tail = x.subarray(x.length - 0.06 * sr - 8192, x.length - 0.06 * sr);
      expect(peakFrequency(spectrumDb(tail, 8192), sr)).toBeCloseTo(880, 0);
    },
    60_000,
  );
});
