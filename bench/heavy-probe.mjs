// A probe of bench/heavy.mjs, in a process of its own so that the bench's downloads do not
// delay it: `health BASE` asks /health every 20 ms; `ws BASE` holds one live 48 kHz stereo
// session and times every audio frame against its schedule. Reports on IPC when told 'stop'.
import WebSocket from 'ws';

const [mode, base] = process.argv.slice(2);
const SR = 48000;
let running = true;

async function health() {
  const times = [];
  let failures = 0;
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

process.on('message', (m) => {
  if (m === 'stop') running = false;
});
const result = await (mode === 'ws' ? session() : health());
process.send(result, () => process.exit(0));
