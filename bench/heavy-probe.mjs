// The clients of bench/heavy.mjs, each in a process of its own: `health BASE` asks /health every
// 20 ms; `ws BASE` holds one live 48 kHz stereo session and times every audio frame against its
// schedule (both report on IPC when told 'stop'); `jobs BASE RENDERS MB` runs the heavy
// requests and reports their status, bytes and time when they are done.
import { request } from 'node:http';
import WebSocket from 'ws';

const [mode, base] = process.argv.slice(2);
const SR = 48000;
let running = true;

async function health() {
  const times = [];
  let failures = 0;
  // the first fetch of a process loads its HTTP client (100-300 ms): not a time of the server
  await fetch(`${base}/health`).then((r) => r.arrayBuffer());
  while (running) {
    const t0 = performance.now();
    try {
      const r = await fetch(`${base}/health`, { signal: AbortSignal.timeout(5000) });
      await r.arrayBuffer();
      if (r.status !== 200) failures++;
    } catch {
      failures++;
    }
    times.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, 20));
  }
  return { times, failures };
}

/**
 * One stereo session (512-frame blocks, the default 50 ms lookahead). A frame's schedule is the
 * moment its first sample is due: when `started` arrived plus its sample index over the rate.
 * Lateness is arrival minus schedule (negative: early, as the lookahead makes it).
 */
function session() {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${base.replace('http', 'ws')}/ws/audio-stream/`);
    const late = [];
    let t0 = null;
    let samples = 0;
    let expected = 0;
    let discontinuities = 0;
    let closed = null;
    ws.on('message', (data, isBinary) => {
      const now = performance.now();
      if (!isBinary) {
        const m = JSON.parse(String(data));
        if (m.type === 'started') t0 = now;
        return;
      }
      if (t0 === null) return;
      const first = data.readDoubleLE(4);
      const n = data.readUInt32LE(12);
      if (first !== expected) discontinuities++;
      expected = first + n;
      samples += n;
      late.push(now - (t0 + (first / SR) * 1000));
    });
    ws.on('close', (code) => {
      closed = code;
    });
    ws.on('error', () => {});
    ws.on('open', () =>
      ws.send(
        JSON.stringify({
          type: 'start',
          scene: { layers: [{ id: 'a', type: 'tone', freq: 440 }] },
          audio: { channels: 2, blockSize: 512 },
          viz: false,
        }),
      ),
    );
    const check = setInterval(() => {
      if (running) return;
      clearInterval(check);
      const seconds = t0 === null ? 0 : (performance.now() - t0) / 1000;
      ws.close();
      resolve({ times: late, samples, seconds, discontinuities, closed });
    }, 50);
  });
}

/** A WAV of two sine tones, 48 kHz 16-bit stereo, about `mb` megabytes. */
function wav(mb) {
  const frames = Math.floor((mb * 1e6) / 4);
  const b = Buffer.alloc(44 + frames * 4);
  b.write('RIFF', 0, 'latin1');
  b.writeUInt32LE(36 + frames * 4, 4);
  b.write('WAVEfmt ', 8, 'latin1');
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(2, 22);
  b.writeUInt32LE(48000, 24);
  b.writeUInt32LE(192000, 28);
  b.writeUInt16LE(4, 32);
  b.writeUInt16LE(16, 34);
  b.write('data', 36, 'latin1');
  b.writeUInt32LE(frames * 4, 40);
  for (let i = 0; i < frames; i++) {
    const t = i / 48000;
    const v = Math.round(8000 * (Math.sin(2 * Math.PI * 220 * t) + Math.sin(2 * Math.PI * 277.18 * t)));
    b.writeInt16LE(v, 44 + i * 4);
    b.writeInt16LE(v, 46 + i * 4);
  }
  return b;
}

/** POST and read the whole response, counting bytes; resolves with status, bytes and seconds. */
function post(path, type, body) {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method: 'POST', headers: { 'content-type': type } }, (res) => {
      let bytes = 0;
      res.on('data', (c) => {
        bytes += c.length;
      });
      res.on('end', () =>
        resolve({ path, status: res.statusCode, bytes, seconds: (performance.now() - t0) / 1000 }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * The heavy clients: `renders` concurrent 600 s 96 kHz stereo float renders read to their end,
 * and a POST /analyze/ of an `analyzeMb` WAV when it is above 0.
 */
async function jobs(renders, analyzeMb) {
  const upload = analyzeMb > 0 ? wav(analyzeMb) : null;
  const render = () =>
    post(
      '/generate-frequency/',
      'application/json',
      JSON.stringify({ frequency: 440, duration: 600, sampleRate: 96000, channels: 2, bitDepth: '32f' }),
    );
  return Promise.all([
    ...Array.from({ length: renders }, render),
    ...(upload ? [post('/analyze/', 'audio/wav', upload)] : []),
  ]);
}

process.on('message', (m) => {
  if (m === 'stop') running = false;
});
const result = await (mode === 'ws'
  ? session()
  : mode === 'jobs'
    ? jobs(Number(process.argv[4]), Number(process.argv[5]))
    : health());
process.send(result, () => process.exit(0));
