// OmniSonic control page: streams live synthesis from /ws/audio-stream/ into an AudioWorklet,
// draws the server's viz frames, and sends slider moves as `set` messages. No build step.
// `window.__omnisonic` exposes the page's state for tests and curious users.

import { buildKeys } from './keys.js';
import { loudest, SpectrumView } from './spectrum.js';

const $ = (id) => document.getElementById(id);
const NOTE_NAMES = ['C', 'C#', 'D', 'D#', 'E', 'F', 'F#', 'G', 'G#', 'A', 'A#', 'B'];
const F_LO = 20;
const F_HI = 20000;
const SAMPLE_RATE = 48000;

const debug = {
  state: 'idle',
  audioFrames: 0,
  samples: 0,
  lastFrame: -1,
  gaps: 0,
  underruns: 0,
  vizFrames: 0,
  peakHz: null,
  bufferedMs: 0,
  acks: 0,
  lastAck: null,
  errors: [],
  warnings: [],
  context: null,
  worklet: false,
  session: null,
};
window.__omnisonic = debug;

const ui = {
  start: $('start'),
  conn: $('conn'),
  preset: $('preset'),
  presetInfo: $('preset-info'),
  freq: $('freq'),
  gain: $('gain'),
  beat: $('beat'),
  pan: $('pan'),
  latency: $('latency'),
  jitter: $('jitter'),
  apikey: $('apikey'),
  message: $('message'),
};
const spectrum = new SpectrumView($('spectrum'));

let ws = null;
let ctx = null;
let node = null;
let seq = 0;
let pending = {};
let flushQueued = false;
let pingTimer = null;
let presets = [];

// ---------- values ----------

const sliderToHz = (v) => F_LO * (F_HI / F_LO) ** (v / 1000);
const hzToSlider = (hz) => Math.round((1000 * Math.log(hz / F_LO)) / Math.log(F_HI / F_LO));

function noteName(hz) {
  const midi = 69 + 12 * Math.log2(hz / 440);
  const n = Math.round(midi);
  const cents = Math.round((midi - n) * 100);
  const name = `${NOTE_NAMES[((n % 12) + 12) % 12]}${Math.floor(n / 12) - 1}`;
  return cents === 0 ? name : `${name}${cents > 0 ? '+' : ''}${cents}c`;
}

const fmtHz = (hz) => (hz >= 1000 ? `${(hz / 1000).toFixed(2)} kHz` : `${hz.toFixed(hz < 100 ? 1 : 0)} Hz`);
const currentWave = () => document.querySelector('input[name="wave"]:checked').value;
const freq = () => sliderToHz(Number(ui.freq.value));
const gainLinear = () => 10 ** (Number(ui.gain.value) / 20);

function showValues() {
  const hz = freq();
  $('freq-out').textContent = `${fmtHz(hz)} · ${noteName(hz)}`;
  $('gain-out').textContent = `${Number(ui.gain.value).toFixed(1)} dB`;
  const beat = Number(ui.beat.value);
  $('beat-out').textContent = beat === 0 ? 'off' : `${beat.toFixed(1)} Hz`;
  const pan = Number(ui.pan.value);
  $('pan-out').textContent =
    Math.abs(pan) < 0.01 ? 'centre' : `${pan < 0 ? 'L' : 'R'} ${Math.abs(pan * 100).toFixed(0)}%`;
  $('latency-out').textContent = `${ui.latency.value} ms`;
  $('jitter-out').textContent = `${ui.jitter.value} ms`;
}

function setState(state, text) {
  debug.state = state;
  ui.conn.dataset.state = state;
  ui.conn.textContent = text ?? state;
  const running = state === 'live' || state === 'connecting';
  ui.start.textContent = running ? 'Stop' : 'Start';
  ui.start.dataset.running = String(running);
}

function say(text, kind = 'info') {
  ui.message.textContent = text;
  ui.message.dataset.kind = kind;
}

// ---------- audio ----------

async function ensureAudio() {
  if (ctx) return;
  const Ctx = window.AudioContext || window.webkitAudioContext;
  if (!Ctx) throw new Error('this browser has no Web Audio');
  try {
    ctx = new Ctx({ sampleRate: SAMPLE_RATE, latencyHint: 'interactive' });
  } catch {
    ctx = new Ctx({ latencyHint: 'interactive' });
  }
  debug.context = ctx.state;
  ctx.onstatechange = () => {
    debug.context = ctx.state;
  };
  if (!ctx.audioWorklet)
    throw new Error('AudioWorklet needs a secure context (https or localhost); the spectrum still works');
  await ctx.audioWorklet.addModule('/ui/worklet.js');
  const targetFrames = Math.round((Number(ui.jitter.value) / 1000) * ctx.sampleRate);
  node = new AudioWorkletNode(ctx, 'omnisonic-stream', {
    numberOfInputs: 0,
    outputChannelCount: [2],
    processorOptions: { channels: 2, targetFrames, maxFrames: targetFrames * 2 },
  });
  node.port.onmessage = (e) => {
    const s = e.data;
    debug.underruns = s.underruns;
    debug.bufferedMs = Math.round((s.buffered / ctx.sampleRate) * 1000);
    debug.targetMs = Math.round((s.target / ctx.sampleRate) * 1000);
    $('st-buffer').textContent =
      `${debug.bufferedMs} ms of ${debug.targetMs}${s.playing ? '' : ' (filling)'}`;
    $('st-under').textContent = String(s.underruns);
  };
  node.connect(ctx.destination);
  debug.worklet = true;
}

// ---------- connection ----------

function wsUrl() {
  const u = new URL('/ws/audio-stream/', location.href);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  const key = ui.apikey.value.trim();
  if (key) u.searchParams.set('key', key);
  return u.toString();
}

function startMessage() {
  const rate = ctx ? ctx.sampleRate : SAMPLE_RATE;
  const msg = {
    type: 'start',
    audio: { format: 'f32', sampleRate: rate, channels: 2, blockSize: 512 },
    viz: { fps: 30, bins: 96 },
    latency: Number(ui.latency.value),
  };
  if (ui.preset.value) msg.preset = ui.preset.value;
  else {
    const layer = {
      id: 'tone',
      type: 'tone',
      freq: freq(),
      wave: currentWave(),
      gain: gainLinear(),
      pan: Number(ui.pan.value),
    };
    const beat = Number(ui.beat.value);
    if (beat > 0) layer.beat = beat;
    msg.scene = { layers: [layer], master: { normalize: false } };
  }
  return msg;
}

async function start() {
  say('');
  setState('connecting');
  try {
    await ensureAudio();
    await ctx.resume();
  } catch (e) {
    say(`audio: ${e.message}`, 'error');
  }
  node?.port.postMessage({ type: 'flush' });
  debug.lastFrame = -1;
  const sock = new WebSocket(wsUrl());
  sock.binaryType = 'arraybuffer';
  ws = sock;
  let opened = false;
  sock.onopen = () => {
    opened = true;
    sock.send(JSON.stringify(startMessage()));
    pingTimer = setInterval(() => sock.send(JSON.stringify({ type: 'ping', t: performance.now() })), 2000);
  };
  sock.onmessage = (e) => (typeof e.data === 'string' ? onJson(JSON.parse(e.data)) : onAudio(e.data));
  sock.onclose = (e) => {
    clearInterval(pingTimer);
    if (ws !== sock) return;
    ws = null;
    if (!opened) {
      setState('error', 'no connection');
      say('could not connect: is the server running, and is the API key right?', 'error');
    } else if (e.code === 1000 || e.code === 1005) setState('idle');
    else {
      setState('closed', `closed ${e.code}`);
      say(e.reason || `connection closed (${e.code})`, 'error');
    }
  };
}

function stop() {
  if (!ws) return;
  const sock = ws;
  if (sock.readyState === WebSocket.OPEN && debug.state === 'live') {
    sock.send(JSON.stringify({ type: 'stop' }));
    // the server answers 'stopped' after its fade; close anyway if it does not
    setTimeout(() => sock.readyState === WebSocket.OPEN && sock.close(1000), 1500);
  } else sock.close(1000);
  setState('idle', 'stopping');
}

function onAudio(buf) {
  const view = new DataView(buf);
  const first = view.getFloat64(4, true);
  const frames = view.getUint32(12, true);
  if (debug.lastFrame >= 0 && first !== debug.lastFrame) debug.gaps++;
  debug.lastFrame = first + frames;
  debug.audioFrames++;
  debug.samples += frames;
  if (node) {
    const samples = new Float32Array(buf, 16);
    node.port.postMessage(samples, [buf]);
  }
  if ((debug.audioFrames & 15) === 0) {
    $('st-audio').textContent = `${(debug.samples / (ctx?.sampleRate ?? SAMPLE_RATE)).toFixed(1)} s`;
    $('st-gaps').textContent = String(debug.gaps);
  }
}

function onJson(m) {
  switch (m.type) {
    case 'started':
      debug.session = m.session;
      setState('live');
      say(`live · ${m.sampleRate} Hz · ${m.channels} ch · ${m.format} · lookahead ${m.latency} ms`);
      break;
    case 'viz': {
      debug.vizFrames++;
      const k = loudest(m.spectrum);
      debug.peakHz = m.spectrum[k] > -90 ? m.freqs[k] : null;
      debug.peakDb = m.spectrum[k];
      spectrum.update(m.spectrum, m.freqs);
      $('peak').textContent = debug.peakHz
        ? `peak ${fmtHz(debug.peakHz)} · ${m.spectrum[k].toFixed(1)} dB`
        : 'peak —';
      meter('meter-l', m.peak[0]);
      meter('meter-r', m.peak[1] ?? m.peak[0]);
      break;
    }
    case 'ack':
      debug.acks++;
      debug.lastAck = m;
      break;
    case 'pong':
      if (typeof m.t === 'number') {
        debug.rttMs = performance.now() - m.t;
        $('st-rtt').textContent = `${debug.rttMs.toFixed(1)} ms`;
      }
      $('st-ctx').textContent = ctx ? `${ctx.state} · ${ctx.sampleRate} Hz` : 'no audio';
      break;
    case 'error':
      debug.errors.push(m);
      say(`${m.code}: ${m.message}`, 'error');
      break;
    case 'warning':
      debug.warnings.push(m);
      say(`${m.code}: ${m.message ?? ''}`, 'warning');
      break;
    case 'stopped':
      ws?.close(1000);
      setState('idle');
      spectrum.clear();
      break;
  }
}

function meter(id, peak) {
  const db = 20 * Math.log10(Math.max(peak, 1e-6));
  $(id).style.width = `${Math.max(0, Math.min(100, ((db + 60) / 60) * 100))}%`;
}

// ---------- controls ----------

function queueSet(params) {
  Object.assign(pending, params);
  if (flushQueued) return;
  flushQueued = true;
  requestAnimationFrame(flushSet);
}

function flushSet() {
  flushQueued = false;
  const params = pending;
  pending = {};
  if (!ws || ws.readyState !== WebSocket.OPEN || debug.state !== 'live') return;
  ws.send(JSON.stringify({ type: 'set', layer: 0, params, glide: 0.03, seq: ++seq }));
}

function sendMidi(data) {
  if (ws && ws.readyState === WebSocket.OPEN && debug.state === 'live')
    ws.send(JSON.stringify({ type: 'midi', data }));
}

ui.start.addEventListener('click', () => (ws ? stop() : start()));
ui.freq.addEventListener('input', () => {
  showValues();
  queueSet({ freq: Math.round(freq() * 100) / 100 });
});
ui.gain.addEventListener('input', () => {
  showValues();
  queueSet({ gain: gainLinear() });
});
ui.beat.addEventListener('input', () => {
  showValues();
  queueSet({ beat: Number(ui.beat.value) });
});
ui.pan.addEventListener('input', () => {
  showValues();
  queueSet({ pan: Number(ui.pan.value) });
});
for (const r of document.querySelectorAll('input[name="wave"]')) {
  r.addEventListener('change', () => queueSet({ wave: currentWave() }));
}
for (const el of [ui.latency, ui.jitter]) el.addEventListener('input', showValues);
ui.jitter.addEventListener('change', () => {
  if (!node || !ctx) return;
  const targetFrames = Math.round((Number(ui.jitter.value) / 1000) * ctx.sampleRate);
  node.port.postMessage({ type: 'config', targetFrames, maxFrames: targetFrames * 2 });
});
ui.apikey.value = localStorage.getItem('omnisonic.key') ?? '';
ui.apikey.addEventListener('change', () => {
  localStorage.setItem('omnisonic.key', ui.apikey.value.trim());
  loadPresets();
});
ui.preset.addEventListener('change', () => {
  const p = presets.find((x) => x.name === ui.preset.value);
  ui.presetInfo.textContent = p
    ? `${p.description || `${p.layers} layers`} (sliders steer its first layer)`
    : '';
  ui.presetInfo.title = p?.description ?? '';
});

async function loadPresets() {
  const key = ui.apikey.value.trim();
  try {
    const res = await fetch('/presets/', { headers: key ? { 'X-API-Key': key } : {} });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const body = await res.json();
    presets = (body.presets ?? []).filter((p) => !p.error);
    for (const o of [...ui.preset.options].slice(1)) o.remove();
    for (const p of presets) ui.preset.add(new Option(p.name, p.name));
    ui.presetInfo.textContent = presets.length ? `${presets.length} presets` : 'no presets on this server';
  } catch {
    presets = [];
    ui.presetInfo.textContent = 'presets unavailable (tone only)';
  }
  debug.presets = presets.map((p) => p.name);
}

ui.freq.value = String(hzToSlider(440));
showValues();
buildKeys($('keys'), sendMidi);
loadPresets();
