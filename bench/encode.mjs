#!/usr/bin/env node
// Encode speed: seconds of audio per second of wall time, for a 600 s 440 Hz tone at 44.1 kHz
// written to /dev/null through each encoder (whole process, median of N runs). Standalone:
//   npm run build && node bench/encode.mjs [seconds] [runs]
// WAV is listed as the baseline without FFmpeg; the ffmpeg-only row is FFmpeg encoding its own sine.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const seconds = Number(process.argv[2] ?? 600);
const runs = Number(process.argv[3] ?? 3);
const bin = join(import.meta.dirname, '..', 'bin', 'omnisonic.cjs');

function timeRun(cmd, args) {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return (performance.now() - t0) / 1000;
}

const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rows = [];
for (const type of ['wav', 'mp3', 'opus', 'ogg', 'flac', 'm4a']) {
  const t = median(
    Array.from({ length: runs }, () =>
      timeRun(process.execPath, [
        bin,
        'tone',
        '440',
        '-d',
        String(seconds),
        '-r',
        '44100',
        '-t',
        type,
        '-o',
        '-',
      ]),
    ),
  );
  rows.push({ job: `omnisonic -t ${type}`, wall: t });
}
for (const [type, codec] of [
  ['mp3', 'libmp3lame'],
  ['opus', 'libopus'],
]) {
  const t = median(
    Array.from({ length: runs }, () =>
      timeRun('ffmpeg', [
        '-v',
        'error',
        '-f',
        'lavfi',
        '-i',
        `sine=frequency=440:sample_rate=44100:duration=${seconds}`,
        '-c:a',
        codec,
        '-f',
        type,
        '-y',
        '/dev/null',
      ]),
    ),
  );
  rows.push({ job: `ffmpeg lavfi sine -> ${type}`, wall: t });
}
console.log(`| job (${seconds} s of audio, 44.1 kHz mono) | wall s | audio s per wall s |`);
console.log('|---|---|---|');
for (const r of rows) console.log(`| ${r.job} | ${r.wall.toFixed(2)} | ${(seconds / r.wall).toFixed(0)} |`);
