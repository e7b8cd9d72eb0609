// OmniSonic control page: a live instrument over /ws/audio-stream/ (docs/websocket.md). The
// page holds the scene (layers with exact values), sends every change as `set`/`add`/`remove`,
// plays the stream through a jitter buffer, draws scope, spectrum and meters, and asks the
// harmony engine for notes to add. No build step, nothing loaded from elsewhere.
// `window.__omnisonic` exposes the page's state for tests and curious users.

import { Api } from './api.js';
import { Connection } from './connection.js';
import { buildKeys } from './keys.js';
import { LayerView } from './layers.js';
import { Meter } from './meters.js';
import { fmtHz, roundHz } from './notes.js';
import { Player } from './player.js';
import { PresetPicker } from './presets.js';
import { newLayer, planSwitch, toWire, wireParam } from './scene.js';
import { Scope } from './scope.js';
import { loudest, SpectrumView } from './spectrum.js';
import { Suggestions } from './suggest.js';

const $ = (id) => document.getElementById(id);
const EDIT_GLIDE = 0.03; // s: a control's move
const SWITCH_GLIDE = 0.4; // s: a preset switch

const debug = {
  state: 'idle',
  session: null,
  audioFrames: 0,
  samples: 0,
  gaps: 0,
  vizFrames: 0,
  peakHz: null,
  acks: 0,
  errors: [],
  warnings: [],
  player: 'none',
  worklet: false,
  underruns: 0,
  bufferedMs: 0,
  targetMs: 0,
  latencyMs: 0,
  reconnects: 0,
  layers: [],
};
window.__omnisonic = debug;

const ui = {
  start: $('start'),
  conn: $('conn'),
  message: $('message'),
  preset: $('preset'),
  presetInfo: $('preset-info'),
  apikey: $('apikey'),
  lookahead: $('lookahead'),
  floor: $('jitter'),
  volume: $('volume'),
  mute: $('mute'),
};

let layers = [newLayer('tone', 'tone1')];
const usedIds = new Set(['tone1']);
let lastFrame = -1;

function freshId(name) {
  let base = String(name)
    .replace(/[^\w.-]/g, '-')
    .slice(0, 40);
  if (!/^[A-Za-z_]/.test(base)) base = `l-${base}`;
  let id = base;
  for (let k = 2; usedIds.has(id); k++) id = `${base}-${k}`;
  usedIds.add(id);
  return id;
}

const say = (text, kind = 'info') => {
  ui.message.textContent = text;
  ui.message.dataset.kind = kind;
};

// ---------- sound and pictures ----------

const player = new Player((s) => {
  const ms = (f) => Math.round((f / player.sampleRate) * 1000);
  Object.assign(debug, {
    underruns: s.underruns,
    bufferedMs: ms(s.buffered),
    targetMs: ms(s.target),
    floorMs: ms(s.floor),
    grows: s.grows,
    shrinks: s.shrinks,
    skippedMs: ms(s.skipped),
    playedMs: ms(s.played),
    masterGain: player.gain ? player.gain.gain.value : null,
  });
  debug.latencyMs = Math.round(Number(ui.lookahead.value) + debug.bufferedMs + player.outputLatency() * 1000);
  $('st-buffer').textContent = `${debug.bufferedMs} ms (target ${debug.targetMs})`;
  $('st-under').textContent = String(s.underruns);
  $('latency').textContent = `latency ≈ ${debug.latencyMs} ms`;
});
const scope = new Scope($('scope'));
const spectrum = new SpectrumView($('spectrum'));
const meters = [new Meter($('meter-l')), new Meter($('meter-r'))];
const frame = () => {
  scope.tick();
  requestAnimationFrame(frame);
};
requestAnimationFrame(frame);

// ---------- connection ----------

const api = new Api(
  () => ui.apikey.value.trim(),
  (why) => askForKey(why),
);

function askForKey(why) {
  $('connection').open = true;
  ui.apikey.setAttribute('aria-invalid', 'true');
  say(`${why}: enter the API key below, then press Start`, 'error');
  ui.apikey.focus();
}

const conn = new Connection({
  url: () => {
    const u = new URL('/ws/audio-stream/', location.href);
    u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
    const key = ui.apikey.value.trim();
    if (key) u.searchParams.set('key', key);
    return u.toString();
  },
  startMessage: () => {
    player.flush();
    lastFrame = -1;
    return {
      type: 'start',
      scene: { layers: layers.map((l) => toWire(l)), master: { normalize: false } },
      audio: { format: 'f32', sampleRate: player.sampleRate, channels: 2, blockSize: 512 },
      viz: { fps: 30, bins: 128 },
      latency: Number(ui.lookahead.value),
    };
  },
  onJson,
  onAudio,
  onState: (state, detail) => {
    debug.state = state;
    debug.reconnects = conn?.reconnects ?? 0;
    ui.conn.dataset.state = state;
    ui.conn.textContent = detail ? `${state} · ${detail}` : state;
    const running = state !== 'idle' && state !== 'needs-key' && state !== 'error';
    ui.start.textContent = running ? 'Stop' : 'Start';
    ui.start.setAttribute('aria-pressed', String(running));
    if (state === 'needs-key') askForKey(detail);
    if (state === 'idle' || state === 'reconnecting') {
      spectrum.clear();
      for (const m of meters) m.reset();
    }
  },
  keyAccepted: () => api.keyAccepted(),
});

async function start() {
  say('');
  try {
    await player.open();
    await player.resume();
  } catch (e) {
    say(`audio: ${e.message} (the spectrum still works)`, 'error');
  }
  debug.player = player.kind;
  debug.worklet = player.kind === 'worklet';
  $('st-ctx').textContent = player.ctx ? `${player.kind} · ${player.ctx.sampleRate} Hz` : 'no audio';
  conn.start();
}

function onAudio(buf) {
  const view = new DataView(buf);
  const first = view.getFloat64(4, true);
  const frames = view.getUint32(12, true);
  if (lastFrame >= 0 && first !== lastFrame) debug.gaps++;
  lastFrame = first + frames;
  debug.audioFrames++;
  debug.samples += frames;
  const samples = new Float32Array(buf, 16);
  scope.push(samples, 2);
  player.push(samples);
  if ((debug.audioFrames & 15) === 0) {
    $('st-audio').textContent = `${(debug.samples / player.sampleRate).toFixed(1)} s`;
    $('st-gaps').textContent = String(debug.gaps);
  }
}

function onJson(m) {
  switch (m.type) {
    case 'started':
      debug.session = m.session;
      say(`live · ${m.sampleRate} Hz · ${m.channels} ch · ${m.format} · lookahead ${m.latency} ms`);
      break;
    case 'viz': {
      debug.vizFrames++;
      const k = loudest(m.spectrum);
      debug.peakHz = m.spectrum[k] > -90 ? m.freqs[k] : null;
      spectrum.update(m.spectrum, m.freqs);
      const now = performance.now() / 1000;
      meters[0].update(m.peak[0], now);
      meters[1].update(m.peak[1] ?? m.peak[0], now);
      break;
    }
    case 'ack':
    case 'added':
    case 'removed':
      debug.acks++;
      break;
    case 'pong':
      if (typeof m.t === 'number') $('st-rtt').textContent = `${(performance.now() - m.t).toFixed(1)} ms`;
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
      conn.drop();
      scope.clear();
      break;
  }
}

// ---------- the scene ----------

const pending = new Map(); // layer id -> params not sent yet (coalesced per animation frame)
let flushQueued = false;

function queueSet(id, params) {
  pending.set(id, { ...pending.get(id), ...params });
  if (flushQueued) return;
  flushQueued = true;
  requestAnimationFrame(() => {
    flushQueued = false;
    for (const [layer, p] of pending) conn.send({ type: 'set', layer, params: p, glide: EDIT_GLIDE });
    pending.clear();
  });
}

function showLayers() {
  view.render(layers);
  debug.layers = layers.map((l) => ({ ...l }));
}

const view = new LayerView(
  $('layers'),
  (l, param, value) => {
    const layer = layers.find((x) => x.id === l.id);
    if (!layer) return;
    layer[param] = value;
    debug.layers = layers.map((x) => ({ ...x }));
    queueSet(layer.id, wireParam(param, value));
  },
  (l) => {
    layers = layers.filter((x) => x.id !== l.id);
    conn.send({ type: 'remove', layer: l.id });
    showLayers();
  },
);

function addLayer(l) {
  layers.push(l);
  conn.send({ type: 'add', layer: toWire(l) });
  showLayers();
  document.getElementById(`L-${l.id}-${l.type === 'noise' ? 'color' : 'freq'}`)?.focus();
}

for (const b of document.querySelectorAll('[data-add]')) {
  b.addEventListener('click', () => addLayer(newLayer(b.dataset.add, freshId(b.dataset.add))));
}

// ---------- presets ----------

const presets = new PresetPicker(
  ui.preset,
  ui.presetInfo,
  api,
  (next) => {
    const plan = planSwitch(layers, next, SWITCH_GLIDE, freshId);
    layers = plan.layers;
    for (const m of plan.messages) conn.send(m);
    setTimeout(
      () => {
        for (const m of plan.removals) conn.send(m);
      },
      SWITCH_GLIDE * 1000 + 50,
    );
    showLayers();
  },
  (text) => say(text, 'error'),
);

// ---------- suggestions ----------

const suggestions = new Suggestions(
  $('suggest'),
  api,
  () => layers.filter((l) => l.type !== 'noise' && l.gain !== Number.NEGATIVE_INFINITY).map((l) => l.freq),
  (s) => {
    const l = newLayer('tone', freshId(s.note.replace(/[+-][\d.]+c$/, '').replace('#', 's')), {
      freq: roundHz(s.frequency),
      gain: -18,
    });
    l.name = `${s.note} (${fmtHz(s.frequency)} Hz)`;
    addLayer(l);
    say(`added ${s.note} at ${fmtHz(l.freq)} Hz`);
  },
);
debug.suggestions = () => suggestions.items;

// ---------- transport, master, connection settings ----------

ui.start.addEventListener('click', () => (conn.wanted || conn.state === 'live' ? conn.stop() : start()));
const volumeChanged = () => {
  const pct = Number(ui.volume.value);
  player.setVolume((pct / 100) ** 2); // a perceptual taper
  $('volume-out').textContent = pct === 0 ? '-inf dB' : `${(40 * Math.log10(pct / 100)).toFixed(1)} dB`;
  ui.volume.setAttribute('aria-valuetext', `${pct} percent`);
};
ui.volume.addEventListener('input', volumeChanged);
ui.mute.addEventListener('click', () => {
  const muted = ui.mute.getAttribute('aria-pressed') !== 'true';
  ui.mute.setAttribute('aria-pressed', String(muted));
  ui.mute.textContent = muted ? 'Unmute' : 'Mute';
  player.setMuted(muted);
  debug.muted = muted;
});
const settingsChanged = () => {
  $('lookahead-out').textContent = `${ui.lookahead.value} ms`;
  $('jitter-out').textContent = `${ui.floor.value} ms`;
};
ui.lookahead.addEventListener('input', settingsChanged);
ui.floor.addEventListener('input', settingsChanged);
ui.floor.addEventListener('change', () => player.setFloor(Number(ui.floor.value)));
ui.apikey.value = sessionStorage.getItem('omnisonic.key') ?? '';
ui.apikey.addEventListener('change', () => {
  sessionStorage.setItem('omnisonic.key', ui.apikey.value.trim());
  ui.apikey.removeAttribute('aria-invalid');
  say('key saved for this tab');
  presets.load();
});

buildKeys($('keys'), (data) => conn.send({ type: 'midi', data }));
player.setFloor(Number(ui.floor.value));
volumeChanged();
settingsChanged();
showLayers();
presets.load();
