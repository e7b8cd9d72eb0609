// Suggestions panel of the control page: asks POST /ai/suggest-frequencies/ about the sounding
// layers, lists the answers (note, cents, interval, score, reasons) with a button that adds
// one as a new layer, and sends like/dislike to POST /ai/feedback/, which teaches the adaptive
// profile of this client.

import { fmtHz } from './notes.js';

export class Suggestions {
  /**
   * @param {HTMLElement} root the panel (holds #suggest-list, #suggest-status, #suggest-go)
   * @param {import('./api.js').Api} api
   * @param {() => number[]} frequencies the sounding layers' frequencies (Hz)
   * @param {(s: object) => void} onAdd
   */
  constructor(root, api, frequencies, onAdd) {
    this.api = api;
    this.frequencies = frequencies;
    this.onAdd = onAdd;
    this.list = root.querySelector('#suggest-list');
    this.status = root.querySelector('#suggest-status');
    this.goal = root.querySelector('#suggest-goal');
    this.items = [];
    root.querySelector('#suggest-go').addEventListener('click', () => this.refresh());
  }

  async refresh() {
    const freqs = this.frequencies();
    if (freqs.length === 0) {
      this.show([]);
      this.status.textContent = 'no sounding tone: add or unmute a layer with a pitch';
      return;
    }
    this.status.textContent = 'asking the harmony engine…';
    try {
      const body = { frequencies: freqs.slice(0, 16), count: 6, goal: this.goal.value };
      const r = await this.api.call('/ai/suggest-frequencies/', body);
      this.show(r.suggestions);
      this.status.textContent = `for ${r.input.notes.join(' ')} · consonance ${r.input.consonance.toFixed(2)}`;
    } catch (e) {
      this.status.textContent = `suggestions unavailable: ${e.message}`;
    }
  }

  show(items) {
    this.items = items;
    this.list.replaceChildren(...items.map((s, i) => this.row(s, i)));
  }

  row(s, i) {
    const li = document.createElement('li');
    li.className = 'sugg';
    li.dataset.index = String(i);
    const cents = `${s.cents > 0 ? '+' : ''}${Math.round(s.cents)} cents`;
    li.innerHTML = `<div class="sugg-main"><strong class="note"></strong> <span class="cents"></span>
<span class="hz dim"></span><span class="interval"></span><span class="score" title="score"></span></div>
<p class="reasons dim"></p><div class="sugg-actions"><button type="button" class="add">Add</button>
<button type="button" class="icon like" aria-pressed="false">▲</button><button type="button" class="icon dislike" aria-pressed="false">▼</button></div>`;
    li.querySelector('.note').textContent = s.note.replace(/[+-][\d.]+c$/, '');
    li.querySelector('.cents').textContent = cents;
    li.querySelector('.hz').textContent = `${fmtHz(s.frequency)} Hz`;
    li.querySelector('.interval').textContent = `${s.interval} (${s.ratio})`;
    li.querySelector('.score').textContent = s.score.toFixed(2);
    li.querySelector('.reasons').textContent = s.reasons.join(' · ');
    const add = li.querySelector('.add');
    add.setAttribute('aria-label', `Add ${s.note} (${fmtHz(s.frequency)} Hz) as a new layer`);
    add.addEventListener('click', () => this.onAdd(s));
    const like = li.querySelector('.like');
    const dislike = li.querySelector('.dislike');
    like.setAttribute('aria-label', `Like ${s.note}`);
    dislike.setAttribute('aria-label', `Dislike ${s.note}`);
    like.addEventListener('click', () => this.rate(s, 1, like, dislike));
    dislike.addEventListener('click', () => this.rate(s, -1, dislike, like));
    return li;
  }

  async rate(s, rating, pressed, other) {
    try {
      const r = await this.api.call('/ai/feedback/', { id: s.id, rating });
      pressed.setAttribute('aria-pressed', 'true');
      other.setAttribute('aria-pressed', 'false');
      const p = r.profile;
      this.status.textContent = `${rating > 0 ? 'liked' : 'disliked'} ${s.note}: your profile has ${p.likes} likes, ${p.dislikes} dislikes`;
      this.rated = (this.rated ?? 0) + 1;
    } catch (e) {
      this.status.textContent = `feedback not saved: ${e.message}`;
    }
  }
}
