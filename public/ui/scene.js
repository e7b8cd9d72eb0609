// The control page's scene: its layers as the page holds them (frequency in Hz, gain in dB),
// their form on the wire (docs/websocket.md), presets turned into layers, and the messages that
// take a live session from one scene to another with a glide (set for layers that stay,
// add for new ones, fade-out and remove for those that go). No DOM.

import { gainFromWire, gainToWire, parseFrequency } from './notes.js';

export const LAYER_TYPES = ['tone', 'binaural', 'isochronic', 'noise'];
export const WAVES = ['sine', 'triangle', 'saw', 'square', 'pulse'];
export const COLORS = ['white', 'pink', 'brown', 'blue', 'violet'];

/** Parameters each layer type shows, in order. */
export const PARAMS = {
  tone: ['freq', 'gain', 'pan', 'beat', 'wave'],
  binaural: ['freq', 'beat', 'gain', 'pan', 'wave'],
  isochronic: ['freq', 'rate', 'duty', 'gain', 'pan', 'wave'],
  noise: ['color', 'gain', 'pan'],
};

const DEFAULTS = {
  tone: { freq: 440, wave: 'sine', gain: -12, pan: 0, beat: 0 },
  binaural: { freq: 200, beat: 10, wave: 'sine', gain: -12, pan: 0 },
  isochronic: { freq: 220, rate: 10, duty: 0.5, wave: 'sine', gain: -14, pan: 0 },
  noise: { color: 'pink', gain: -24, pan: 0 },
};

/** A new layer of `type` with the page's defaults. */
export function newLayer(type, id, values = {}) {
  return { id, name: id, type, extra: {}, ...DEFAULTS[type], ...values };
}

/** The layer as a `start` or `add` message carries it; `silent` gives it gain 0. */
export function toWire(l, silent = false) {
  const w = { id: l.id, type: l.type, gain: silent ? 0 : gainToWire(l.gain) };
  if (l.pan) w.pan = l.pan;
  switch (l.type) {
    case 'noise':
      w.color = l.color;
      break;
    case 'binaural':
      Object.assign(w, { carrier: l.freq, beat: l.beat, wave: l.wave });
      break;
    case 'isochronic':
      Object.assign(w, { freq: l.freq, rate: l.rate, duty: l.duty, wave: l.wave });
      break;
    default:
      Object.assign(w, { freq: l.freq, wave: l.wave }, l.extra);
      if (l.beat > 0) w.beat = l.beat;
  }
  return w;
}

/** The `set` params of one page parameter. */
export function wireParam(param, value) {
  return param === 'gain' ? { gain: gainToWire(value) } : { [param]: value };
}

const hzOf = (v, fallback) => {
  const r = typeof v === 'number' ? { hz: v } : parseFrequency(String(v ?? ''), 24000);
  return r.hz ?? fallback;
};

/**
 * The layers of a preset (its JSON) as the page holds them: the scene as the preset starts
 * (its timeline is not followed live). File layers and sweeps cannot play live and are left out;
 * `skipped` counts what was.
 */
export function presetLayers(preset) {
  const layers = [];
  let skipped = 0;
  for (const [i, l] of (preset.layers ?? []).entries()) {
    const name = typeof l.id === 'string' ? l.id : `${l.type}${i + 1}`;
    const common = { gain: gainFromWire(l.gain ?? '-6dB'), pan: l.pan ?? 0 };
    if (l.type === 'noise') layers.push(newLayer('noise', name, { ...common, color: l.color ?? 'white' }));
    else if (l.type === 'binaural')
      layers.push(
        newLayer('binaural', name, {
          ...common,
          freq: hzOf(l.carrier, 200),
          beat: l.beat ?? 0,
          wave: l.wave ?? 'sine',
        }),
      );
    else if (l.type === 'isochronic' || (l.type === 'tone' && l.isochronic)) {
      const iso = l.type === 'tone' ? l.isochronic : l;
      layers.push(
        newLayer('isochronic', name, {
          ...common,
          freq: hzOf(l.freq, 220),
          rate: iso.rate ?? 10,
          duty: iso.duty ?? 0.5,
          wave: l.wave ?? 'sine',
        }),
      );
    } else if (l.type === 'tone') {
      const extra = {};
      for (const k of ['am', 'fm', 'envelope', 'duty']) if (l[k] !== undefined) extra[k] = l[k];
      if (l.sweep) skipped++;
      layers.push(
        newLayer('tone', name, {
          ...common,
          freq: hzOf(l.freq, 440),
          wave: l.wave ?? 'sine',
          beat: l.beat ?? 0,
          extra,
        }),
      );
    } else skipped++;
  }
  return { layers, skipped };
}

/** `set` params that take layer `a` to `b` (same type). */
function changes(a, b) {
  const p = {};
  for (const k of PARAMS[b.type]) if (a[k] !== b[k]) Object.assign(p, wireParam(k, b[k]));
  if (b.type === 'tone') {
    const am0 = a.extra.am;
    const am1 = b.extra.am;
    if (am1) Object.assign(p, { amRate: am1.rate, amDepth: am1.depth ?? 0.5 });
    else if (am0) p.amDepth = 0;
    const fm1 = b.extra.fm;
    if (fm1) Object.assign(p, { fmRate: fm1.rate, fmDev: fm1.dev ?? 0 });
    else if (a.extra.fm) p.fmDev = 0;
  }
  return p;
}

/**
 * Plan a live switch from `current` to `next` layers: the resulting layers (with the ids the
 * server knows) and the messages to send, in order; `after` (ms) delays a message (removals
 * wait for their fade). `freshId(name)` gives an id never used before.
 */
export function planSwitch(current, next, glide, freshId) {
  const left = [...current];
  const layers = [];
  const now = [];
  const later = [];
  for (const n of next) {
    let i = left.findIndex((o) => o.type === n.type && o.name === n.name);
    if (i < 0) i = left.findIndex((o) => o.type === n.type);
    if (i >= 0) {
      const [o] = left.splice(i, 1);
      const l = { ...n, id: o.id };
      layers.push(l);
      const params = changes(o, l);
      if (Object.keys(params).length) now.push({ type: 'set', layer: o.id, params, glide });
    } else {
      const l = { ...n, id: freshId(n.name) };
      layers.push(l);
      now.push({ type: 'add', layer: toWire(l, true) });
      if (l.gain !== Number.NEGATIVE_INFINITY)
        now.push({ type: 'set', layer: l.id, params: wireParam('gain', l.gain), glide });
    }
  }
  for (const o of left) {
    now.push({ type: 'set', layer: o.id, params: { gain: 0 }, glide });
    later.push({ type: 'remove', layer: o.id });
  }
  return { layers, messages: now, removals: later };
}
