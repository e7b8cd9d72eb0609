#!/usr/bin/env node
// OmniSonic render benchmarks, side by side with FFmpeg and SoX in one run (the jobs of
// BENCH.md): 600 s renders at 44.1 kHz, 16-bit WAV to a pipe, whole-process wall time (median
// of N runs, the commands taking turns), the ratio ours/FFmpeg, peak memory, and start-up for a
// 3 s tone beside bare `node -e 0`.
//
//   npm run bench              all jobs, 5 runs each
//   node bench/run.js --runs 3 --only sine,pink
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const cli = fileURLToPath(new URL('../bin/omnisonic.cjs', import.meta.url));
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 5;
const only = args.includes('--only') ? args[args.indexOf('--only') + 1].split(',') : null;
const D = 600;
const R = 44100;

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const gnuTime = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

const jobs = [
  {
    name: 'sine',
    label: '440 Hz sine',
    ours: ['tone', '440', '-d', String(D), '-r', String(R), '-o', '-'],
    ffmpeg: `-f lavfi -i sine=frequency=440:sample_rate=${R}:duration=${D} -c:a pcm_s16le -f wav -`,
    sox: `-r ${R} -n -b 16 -t wav - synth ${D} sine 440`,
    target: 1.0,
  },
  {
    name: 'mix',
    label: '3-tone mix',
    ours: ['mix', '261.63', '329.63', '392', '-d', String(D), '-r', String(R), '-o', '-'],
    ffmpeg: `-f lavfi -i sine=f=261.63:r=${R}:d=${D} -f lavfi -i sine=f=329.63:r=${R}:d=${D} -f lavfi -i sine=f=392:r=${R}:d=${D} -filter_complex amix=inputs=3 -c:a pcm_s16le -f wav -`,
    sox: `-r ${R} -n -b 16 -t wav - synth ${D} sine 261.63 sine 329.63 sine 392 remix -`,
    target: 0.5,
  },
  {
    name: 'pink',
    label: 'pink noise',
    ours: ['mix', 'noise:pink', '-d', String(D), '-r', String(R), '-o', '-'],
    ffmpeg: `-f lavfi -i anoisesrc=color=pink:amplitude=0.5:sample_rate=${R}:duration=${D} -c:a pcm_s16le -f wav -`,
    sox: `-r ${R} -n -b 16 -t wav - synth ${D} pinknoise`,
    target: 0.5,
  },
  {
    name: 'binaural',
    label: 'binaural 200/210 Hz',
    ours: ['tone', '205', '--binaural', '10', '-d', String(D), '-r', String(R), '-o', '-'],
    ffmpeg: `-f lavfi -i sine=f=200:r=${R}:d=${D} -f lavfi -i sine=f=210:r=${R}:d=${D} -filter_complex amerge=inputs=2 -c:a pcm_s16le -f wav -`,
    sox: `-r ${R} -n -b 16 -c 2 -t wav - synth ${D} sine 200 sine 210`,
    target: 0.5,
  },
];

/**
 * Run a command with stdout drained through a pipe, in `env` (default: this environment);
 * resolves wall seconds, bytes and peak RSS (KiB).
 */
function timed(cmd, argv, env = process.env) {
  return new Promise((resolve, reject) => {
    const full = gnuTime ? [gnuTime, ['-f', '%M', cmd, ...argv]] : [cmd, argv];
    const t0 = performance.now();
    const p = spawn(full[0], full[1], { stdio: ['ignore', 'pipe', 'pipe'], env });
    let bytes = 0;
    let err = '';
    p.stdout.on('data', (d) => {
      bytes += d.length;
    });
    p.stderr.on('data', (d) => {
      err += d;
    });
    p.on('error', reject);
    p.on('close', (code) => {
      const wall = (performance.now() - t0) / 1000;
      if (code !== 0) return reject(new Error(`${cmd} exited ${code}: ${err.slice(-300)}`));
      const rss = gnuTime ? Number(err.trim().split('\n').pop()) : Number.NaN;
      resolve({ wall, bytes, rss });
    });
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Summary of one command's runs: median wall time, peak RSS, bytes written. */
function summary(results) {
  return {
    wall: median(results.map((r) => r.wall)),
    rss: Math.max(...results.map((r) => r.rss)),
    bytes: results[0].bytes,
  };
}

/**
 * Run each command `runs` times, interleaved (ours, FFmpeg, SoX, ours, ...), so that a machine
 * whose speed drifts during the bench slows every command alike.
 */
async function measureAll(commands) {
  const results = commands.map(() => []);
  for (let i = 0; i < runs; i++) {
    for (let c = 0; c < commands.length; c++) {
      if (commands[c]) results[c].push(await timed(commands[c][0], commands[c][1]));
    }
  }
  return results.map((r, c) => (commands[c] ? summary(r) : null));
}

const fmt = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '-');
const rows = [];
console.log(
  `OmniSonic bench: ${D} s at ${R} Hz, 16-bit WAV to a pipe, median of ${runs} (node ${process.version})`,
);
if (process.env.NODE_EXTRA_CA_CERTS)
  console.log(
    'NODE_EXTRA_CA_CERTS is set: every Node process here parses those certificates first (see start-up)',
  );
for (const job of jobs) {
  if (only && !only.includes(job.name)) continue;
  const [ours, ff, sx] = await measureAll([
    [process.execPath, [cli, ...job.ours]],
    has('ffmpeg') ? ['ffmpeg', ['-v', 'error', ...job.ffmpeg.split(' ')]] : null,
    has('sox') ? ['sox', job.sox.split(' ')] : null,
  ]);
  const ratio = ff ? ours.wall / ff.wall : Number.NaN;
  rows.push({ job, ours, ff, sx, ratio });
  console.log(
    `${job.label.padEnd(20)} ours ${fmt(ours.wall)} s  ffmpeg ${fmt(ff?.wall)} s  sox ${fmt(sx?.wall)} s  ratio ${fmt(ratio)} (target <= ${job.target})  peak RSS ours ${fmt(ours.rss / 1024, 0)} MiB`,
  );
}

// memory: a 60-minute render against a 10-minute one
if (!only || only.includes('memory')) {
  const m10 = await timed(process.execPath, [
    cli,
    'mix',
    '200',
    '300',
    'noise:pink@-20dB',
    '-d',
    '10m',
    '-o',
    '-',
  ]);
  const m60 = await timed(process.execPath, [
    cli,
    'mix',
    '200',
    '300',
    'noise:pink@-20dB',
    '-d',
    '60m',
    '-o',
    '-',
  ]);
  console.log(
    `memory              10 min ${fmt(m10.rss / 1024, 1)} MiB, 60 min ${fmt(m60.rss / 1024, 1)} MiB, difference ${fmt((m60.rss - m10.rss) / 1024, 1)} MiB (target <= 16)`,
  );
}

// start-up: a 3-second tone, start to finish, written to a file, beside bare `node -e 0`. When
// NODE_EXTRA_CA_CERTS is set, Node reads and parses that certificate file as it starts, before
// any script runs (about 70 ms for a distribution's full CA bundle on this VM), so both are also
// timed without it: the difference is Node's, and OmniSonic cannot avoid it.
if (!only || only.includes('startup')) {
  const out = `${here}/.startup.wav`;
  const envs = [['', process.env]];
  if (process.env.NODE_EXTRA_CA_CERTS) {
    const { NODE_EXTRA_CA_CERTS: _, ...rest } = process.env;
    envs.push(['  without NODE_EXTRA_CA_CERTS', rest]);
  }
  const times = envs.map(() => ({ tone: [], bare: [] }));
  // taking turns with bare node, so both see the same machine
  for (let i = 0; i < Math.max(runs, 5); i++) {
    for (const [e, [, env]] of envs.entries()) {
      times[e].tone.push(
        (await timed(process.execPath, [cli, 'tone', 'A4', '-d', '3', '-o', out], env)).wall,
      );
      times[e].bare.push((await timed(process.execPath, ['-e', '0'], env)).wall);
    }
  }
  spawnSync('rm', ['-f', out]);
  for (const [e, [label]] of envs.entries()) {
    const { tone, bare } = times[e];
    console.log(
      `${(label || 'start-up').padEnd(19)} 3 s tone ${fmt(median(tone) * 1000, 0)} ms (target <= 150), bare node ${fmt(median(bare) * 1000, 0)} ms`,
    );
  }
}

if (rows.length > 0) {
  console.log('\n| job | OmniSonic | FFmpeg | SoX | ours / FFmpeg | target |');
  console.log('|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(
      `| ${r.job.label} | ${fmt(r.ours.wall)} s | ${fmt(r.ff?.wall)} s | ${fmt(r.sx?.wall)} s | ${fmt(r.ratio)} | <= ${r.job.target} |`,
    );
  }
}
