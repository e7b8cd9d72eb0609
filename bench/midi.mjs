// MIDI rendering speed: OmniSonic (default bank, built-in synth) against FluidSynth on the same
// files, as x real time (seconds of audio per second of wall time, start-up included).
// usage: node bench/midi.mjs [file.mid ...]   (default: a generated multi-channel test song)
// Build first (npm run build). FluidSynth renders with /usr/share/sounds/sf2/FluidR3_GM.sf2.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeMidi } from '../dist/midi/write.js';

const dir = mkdtempSync(join(tmpdir(), 'omni-bench-midi-'));
const SF2 = '/usr/share/sounds/sf2/FluidR3_GM.sf2';
const CLI = new URL('../bin/omnisonic.cjs', import.meta.url).pathname;

/** A 60 s song: 8 melodic channels (piano, strings, flute, bass, ...) and drums, 4 notes a beat. */
function song() {
  const tracks = [];
  const programs = [0, 48, 73, 33, 24, 56, 65, 11];
  programs.forEach((p, ch) => {
    const ev = [
      { tick: 0, bytes: [0xc0 | ch, p] },
      { tick: 0, bytes: [0xb0 | ch, 10, 16 * ch] },
    ];
    for (let b = 0; b < 480; b++) {
      const key = 48 + ((b * 7 + ch * 5) % 24);
      ev.push(
        { tick: b * 120, bytes: [0x90 | ch, key, 80] },
        { tick: b * 120 + 110, bytes: [0x80 | ch, key, 0] },
      );
    }
    tracks.push(ev);
  });
  const drums = [];
  for (let b = 0; b < 480; b++)
    drums.push(
      { tick: b * 120, bytes: [0x99, b % 4 ? 42 : 36, 100] },
      { tick: b * 120 + 60, bytes: [0x89, b % 4 ? 42 : 36, 0] },
    );
  tracks.push(drums);
  return writeMidi({ format: 1, ticksPerQuarter: 240, tracks });
}

function timed(cmd, args, env = {}) {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  const sec = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
  return sec;
}

function seconds(wav) {
  const r = spawnSync('soxi', ['-D', wav], { encoding: 'utf8' });
  return Number(r.stdout.trim());
}

let files = process.argv.slice(2);
if (files.length === 0) {
  writeFileSync(join(dir, 'song.mid'), song());
  files = [join(dir, 'song.mid')];
}
console.log('x real time (audio seconds per wall second, start-up and bank loading included)');
for (const f of files) {
  const out = join(dir, 'out.wav');
  const rows = [];
  const omni = timed(process.execPath, [CLI, 'render', f, '-r', '44100', '-o', out]);
  const len = seconds(out);
  rows.push(['omnisonic (default bank, FluidR3 Mono SF3)', omni]);
  const sf2 = timed(process.execPath, [CLI, 'render', f, '-r', '44100', '--soundfont', SF2, '-o', out]);
  rows.push(['omnisonic --soundfont FluidR3_GM.sf2', sf2]);
  rows.push([
    'omnisonic --synth builtin',
    timed(process.execPath, [CLI, 'render', f, '-r', '44100', '--synth', 'builtin', '-o', out]),
  ]);
  if (existsSync(SF2)) {
    const fl = timed('fluidsynth', ['-ni', '-F', out, '-r', '44100', SF2, f]);
    rows.push(['fluidsynth FluidR3_GM.sf2', fl]);
  }
  console.log(`${f} (${len.toFixed(1)} s, ${statSync(f).size} bytes)`);
  for (const [name, sec] of rows)
    console.log(`  ${name.padEnd(44)} ${(len / sec).toFixed(1)}x  (${sec.toFixed(2)} s)`);
}
rmSync(dir, { recursive: true, force: true });
