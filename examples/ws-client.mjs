#!/usr/bin/env node
// A minimal Node client of the live synthesis WebSocket (docs/websocket.md): start a tone,
// glide it up an octave after one second, and write what arrives to a 16-bit WAV file.
//
//   omnisonic serve &                       # or any server with the endpoint
//   node examples/ws-client.mjs [ws://127.0.0.1:8000/ws/audio-stream/] [out.wav] [seconds]
//   OMNISONIC_API_KEY=... node examples/ws-client.mjs   # when the server needs a key
import { writeFileSync } from 'node:fs';
import WebSocket from 'ws';

const url = process.argv[2] ?? 'ws://127.0.0.1:8000/ws/audio-stream/';
const out = process.argv[3] ?? 'live.wav';
const seconds = Number(process.argv[4] ?? 3);
const key = process.env.OMNISONIC_API_KEY;

const ws = new WebSocket(url, key ? { headers: { 'X-API-Key': key } } : {});
const chunks = [];
let frames = 0;
let channels = 2;
let sampleRate = 48000;
let sentAt = 0;

ws.on('open', () => {
  ws.send(
    JSON.stringify({
      type: 'start',
      scene: { layers: [{ id: 'tone', type: 'tone', freq: 'A3', wave: 'triangle', gain: '-12dB' }] },
      audio: { format: 's16', sampleRate, channels, blockSize: 512 },
      viz: false,
      latency: 50,
    }),
  );
});

ws.on('message', (data, isBinary) => {
  if (isBinary) {
    // 16-byte header: uint32 seq, float64 first frame, uint32 frame count; then s16 LE samples
    const first = data.readDoubleLE(4);
    const n = data.readUInt32LE(12);
    if (first !== frames) console.error(`gap: expected frame ${frames}, got ${first}`);
    frames = first + n;
    chunks.push(Buffer.from(data.subarray(16)));
    return;
  }
  const msg = JSON.parse(String(data));
  if (msg.type === 'started') {
    ({ sampleRate, channels } = msg);
    console.error(`session ${msg.session}: ${msg.sampleRate} Hz, ${msg.channels} ch, ${msg.format}`);
    setTimeout(() => {
      sentAt = performance.now();
      ws.send(JSON.stringify({ type: 'set', layer: 'tone', params: { freq: 'A4' }, glide: 0.5, seq: 1 }));
    }, 1000);
    setTimeout(() => ws.send(JSON.stringify({ type: 'stop' })), seconds * 1000);
  } else if (msg.type === 'ack') {
    console.error(
      `set ${msg.seq} applies from frame ${msg.frame} (ack after ${(performance.now() - sentAt).toFixed(1)} ms)`,
    );
  } else if (msg.type === 'stopped') {
    ws.close();
  } else if (msg.type === 'error' || msg.type === 'warning') {
    console.error(`${msg.type} ${msg.code}: ${msg.message}`);
  }
});

ws.on('unexpected-response', (_req, res) => {
  console.error(`connection refused: HTTP ${res.statusCode}`);
  process.exitCode = 1;
});
ws.on('error', (e) => {
  console.error(`connection failed: ${e.message}`);
  process.exitCode = 1;
});

ws.on('close', () => {
  if (frames === 0) return;
  const pcm = Buffer.concat(chunks);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + pcm.length, 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(channels, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * channels * 2, 28);
  header.writeUInt16LE(channels * 2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(pcm.length, 40);
  writeFileSync(out, Buffer.concat([header, pcm]));
  console.error(`wrote ${out}: ${(frames / sampleRate).toFixed(2)} s`);
});
