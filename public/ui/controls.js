// Controls of the control page: a labelled text box for exact entry with a fine slider beside
// it, and keyboard nudges on both (arrows: a fine step; Shift: a coarse one; Page Up/Down:
// larger still). What is typed is sent exactly as typed (440 stays 440); the slider follows.

import {
  centsToHz,
  F_MAX,
  F_MIN,
  fmtDb,
  fmtHz,
  hzToCents,
  nearestNote,
  nudgeHz,
  parseDb,
  parseFrequency,
  roundHz,
} from './notes.js';
import { COLORS, WAVES } from './scene.js';

const round = (v, step) => Math.round(v / step) * step;
const fix = (v) => Math.round(v * 1e6) / 1e6;

function plain(label, unit, lo, hi, step, coarse, page, sliderHi = hi) {
  return {
    label,
    unit,
    parse: (t) => {
      const s = String(t)
        .trim()
        .replace(new RegExp(`\\s*${unit}$`, 'i'), '');
      const v = Number(s);
      if (s === '' || !Number.isFinite(v)) return { error: `'${t}' is not a number` };
      if (v < lo || v > hi) return { error: `${label}: from ${lo} to ${hi}` };
      return { value: v };
    },
    format: (v) => String(fix(v)),
    describe: (v) => `${fix(v)}${unit ? ` ${unit}` : ''}`,
    slider: { min: lo, max: sliderHi, step },
    toSlider: (v) => v,
    fromSlider: (p) => fix(round(p, step)),
    nudge: (v, dir, size) =>
      fix(Math.min(hi, Math.max(lo, round(v + dir * [step, coarse, page][size], step)))),
  };
}

/** What each parameter accepts, shows and how its slider and nudges move. */
export const SPECS = {
  freq: {
    label: 'Frequency',
    unit: 'Hz',
    parse: (t) => {
      const r = parseFrequency(t, F_MAX);
      return r.error ? r : { value: r.hz };
    },
    format: fmtHz,
    describe: (v) => `${fmtHz(v)} Hz · ${nearestNote(v).label}`,
    slider: { min: 0, max: Math.floor(hzToCents(F_MAX - 1)), step: 1 },
    toSlider: (v) => hzToCents(Math.min(Math.max(v, F_MIN), F_MAX)),
    fromSlider: (p) => roundHz(centsToHz(Number(p))),
    // a cent, a semitone, an octave
    nudge: (v, dir, size) => Math.min(F_MAX - 1, Math.max(1, nudgeHz(v, dir * [1, 100, 1200][size]))),
  },
  gain: {
    label: 'Gain',
    unit: 'dB',
    parse: (t) => {
      const r = parseDb(t);
      return r.error ? r : { value: r.db };
    },
    format: fmtDb,
    describe: (v) => `${fmtDb(v)} dB`,
    slider: { min: -80, max: 6, step: 0.1 },
    toSlider: (v) => Math.max(v, -80),
    fromSlider: (p) => (Number(p) <= -80 ? Number.NEGATIVE_INFINITY : fix(round(Number(p), 0.1))),
    nudge: (v, dir, size) => {
      const from = v === Number.NEGATIVE_INFINITY ? -80 : v;
      const to = fix(round(from + dir * [0.1, 1, 6][size], 0.1));
      return to <= -80 ? Number.NEGATIVE_INFINITY : Math.min(to, 24);
    },
  },
  pan: {
    ...plain('Pan', '', -1, 1, 0.01, 0.1, 0.5),
    describe: (v) => (v === 0 ? 'centre' : `${v < 0 ? 'L' : 'R'} ${Math.round(Math.abs(v) * 100)}%`),
  },
  beat: plain('Beat', 'Hz', 0, 100, 0.01, 1, 10, 40),
  rate: plain('Pulse rate', 'Hz', 0.1, 1000, 0.01, 1, 10, 60),
  duty: plain('Duty', '', 0.01, 0.99, 0.01, 0.1, 0.25),
};

/** Choices of the select parameters. */
export const CHOICES = {
  wave: { label: 'Waveform', options: WAVES },
  color: { label: 'Noise colour', options: COLORS },
};

let uid = 0;

/**
 * A numeric control: `{ el, set(value) }`. `onChange(value)` is called on every committed
 * change (typed + Enter or leaving the box, slider moves, nudges).
 * @param {string} label visible label, e.g. 'Frequency'
 * @param {string} id id of the text box (the slider gets `${id}-slider`)
 */
export function numberControl(param, label, id, value, onChange) {
  const spec = SPECS[param];
  const el = document.createElement('div');
  el.className = 'ctl';
  el.dataset.param = param;
  const hint = `hint-${++uid}`;
  el.innerHTML = `<div class="ctl-head"><label for="${id}">${label}${spec.unit ? ` <span class="dim">(${spec.unit})</span>` : ''}</label><output for="${id}" aria-live="off"></output></div>
<div class="ctl-row"><input id="${id}" class="num" type="text" inputmode="decimal" autocomplete="off" spellcheck="false" aria-describedby="${hint}">
<input id="${id}-slider" class="slider" type="range" min="${spec.slider.min}" max="${spec.slider.max}" step="${spec.slider.step}" aria-label="${label} slider"></div>
<p id="${hint}" class="err" role="alert"></p>`;
  const box = el.querySelector('input.num');
  const slider = el.querySelector('input.slider');
  const out = el.querySelector('output');
  const err = el.querySelector('.err');
  let current = value;
  const show = (v, from) => {
    current = v;
    if (from !== 'box') box.value = spec.format(v);
    slider.value = String(spec.toSlider(v));
    slider.setAttribute('aria-valuetext', spec.describe(v));
    out.textContent = spec.describe(v);
    box.removeAttribute('aria-invalid');
    err.textContent = '';
  };
  const commit = (v, from) => {
    const changed = v !== current;
    show(v, from);
    if (changed) onChange(v);
  };
  const typed = () => {
    const r = spec.parse(box.value);
    if (r.error) {
      box.setAttribute('aria-invalid', 'true');
      err.textContent = r.error;
      return;
    }
    commit(r.value, 'box');
  };
  box.addEventListener('change', typed);
  slider.addEventListener('input', () => commit(spec.fromSlider(slider.value), 'slider'));
  const keys = (e) => {
    const up = e.key === 'ArrowUp' || (e.target === slider && e.key === 'ArrowRight');
    const down = e.key === 'ArrowDown' || (e.target === slider && e.key === 'ArrowLeft');
    const page = e.key === 'PageUp' ? 1 : e.key === 'PageDown' ? -1 : 0;
    if (e.key === 'Enter' && e.target === box) return typed();
    if (!up && !down && !page) return;
    e.preventDefault();
    const dir = page || (up ? 1 : -1);
    commit(spec.nudge(current, dir, page ? 2 : e.shiftKey ? 1 : 0));
  };
  box.addEventListener('keydown', keys);
  slider.addEventListener('keydown', keys);
  show(value);
  return { el, set: (v) => show(v) };
}

/** A select control: `{ el, set(value) }`. */
export function choiceControl(param, label, id, value, onChange) {
  const el = document.createElement('div');
  el.className = 'ctl';
  el.dataset.param = param;
  el.innerHTML = `<div class="ctl-head"><label for="${id}">${label}</label></div><select id="${id}"></select>`;
  const sel = el.querySelector('select');
  for (const o of CHOICES[param].options) sel.add(new Option(o, o));
  sel.value = value;
  sel.addEventListener('change', () => onChange(sel.value));
  return {
    el,
    set: (v) => {
      sel.value = v;
    },
  };
}
