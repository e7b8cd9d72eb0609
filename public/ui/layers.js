// Layer cards of the control page: one card per layer with the controls of its type
// (scene.js PARAMS), a remove button, and `refresh` to show values set from elsewhere (a
// preset switch). Control ids are `L-<layer id>-<param>` (text box) and `...-slider`.

import { choiceControl, numberControl, SPECS } from './controls.js';
import { PARAMS } from './scene.js';

const TITLES = { tone: 'Tone', binaural: 'Binaural beat', isochronic: 'Isochronic pulses', noise: 'Noise' };
const LABELS = { binaural: { freq: 'Carrier' } };

export class LayerView {
  /**
   * @param {HTMLElement} box
   * @param {(layer: object, param: string, value: unknown) => void} onParam
   * @param {(layer: object) => void} onRemove
   */
  constructor(box, onParam, onRemove) {
    this.box = box;
    this.onParam = onParam;
    this.onRemove = onRemove;
    this.cards = new Map(); // layer id -> { el, controls: Map(param -> control) }
  }

  /** Show `layers`: cards are kept for layers that stay, made for new ones, dropped for others. */
  render(layers) {
    const keep = new Set(layers.map((l) => l.id));
    for (const [id, card] of this.cards) {
      if (!keep.has(id)) {
        card.el.remove();
        this.cards.delete(id);
      }
    }
    for (const l of layers) {
      const card = this.cards.get(l.id) ?? this.make(l);
      this.box.append(card.el); // in scene order
      this.refresh(l);
    }
    this.box.dataset.count = String(layers.length);
  }

  make(l) {
    const el = document.createElement('article');
    el.className = 'layer';
    el.dataset.layer = l.id;
    el.dataset.type = l.type;
    const head = document.createElement('header');
    const h = document.createElement('h3');
    h.id = `L-${l.id}-title`;
    el.setAttribute('aria-labelledby', h.id);
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.className = 'icon remove';
    remove.textContent = '✕';
    remove.addEventListener('click', () => this.onRemove(l));
    head.append(h, remove);
    el.append(head);
    const controls = new Map();
    const grid = document.createElement('div');
    grid.className = 'ctls';
    for (const p of PARAMS[l.type]) {
      const label =
        LABELS[l.type]?.[p] ?? (p in SPECS ? SPECS[p].label : p === 'wave' ? 'Waveform' : 'Colour');
      const id = `L-${l.id}-${p}`;
      const onChange = (v) => this.onParam(this.layerOf(el), p, v);
      const c =
        p in SPECS
          ? numberControl(p, label, id, l[p], onChange)
          : choiceControl(p, label, id, l[p], onChange);
      controls.set(p, c);
      grid.append(c.el);
    }
    el.append(grid);
    const card = { el, controls, h, remove, layer: l };
    this.cards.set(l.id, card);
    return card;
  }

  layerOf(el) {
    return this.cards.get(el.dataset.layer).layer;
  }

  /** Show the values of `l` in its card. */
  refresh(l) {
    const card = this.cards.get(l.id);
    if (!card) return;
    card.layer = l;
    card.h.textContent = `${TITLES[l.type]} · ${l.name}`;
    card.remove.setAttribute('aria-label', `Remove layer ${l.name}`);
    for (const [p, c] of card.controls) c.set(l[p]);
  }
}
