// Preset picker of the control page: lists the server's presets (GET /presets/), fetches the
// chosen one (GET /presets/{name}) and hands its layers to the page, which switches live.

import { presetLayers } from './scene.js';

export class PresetPicker {
  /**
   * @param {HTMLSelectElement} select
   * @param {HTMLElement} info
   * @param {import('./api.js').Api} api
   * @param {(layers: object[]) => void} onSwitch
   * @param {(text: string) => void} onError
   */
  constructor(select, info, api, onSwitch, onError) {
    Object.assign(this, { select, info, api, onSwitch, onError });
    this.names = [];
    select.addEventListener('change', () => this.choose(select.value));
  }

  async load() {
    try {
      const body = await this.api.call('/presets/');
      this.names = (body.presets ?? []).map((p) => p.name);
      this.info.textContent = `${this.names.length} presets: choosing one switches live, with a glide`;
    } catch (e) {
      this.names = [];
      this.info.textContent = `presets unavailable (${e.message})`;
    }
    for (const o of [...this.select.options].slice(1)) o.remove();
    for (const n of this.names) this.select.add(new Option(n, n));
  }

  async choose(name) {
    if (!name) return;
    try {
      const preset = await this.api.call(`/presets/${encodeURIComponent(name)}`);
      const next = presetLayers(preset);
      this.onSwitch(next.layers);
      const notes = [preset.description];
      if (preset.timeline?.length) notes.push('(its timeline plays only in renders)');
      if (next.skipped) notes.push(`(${next.skipped} layer(s) cannot play live)`);
      this.info.textContent = notes.join(' ');
    } catch (e) {
      this.onError(`preset ${name}: ${e.message}`);
    }
  }
}
