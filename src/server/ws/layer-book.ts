import { invalid } from '../../errors.js';
import type { LayerSpec } from '../../render/scene.js';
import { TONE_PARAMS } from '../../render/tone-layer.js';
import type { LayerRef } from './protocol.js';

const PARAMS_OF: Record<LayerSpec['type'], readonly string[]> = {
  tone: TONE_PARAMS,
  binaural: TONE_PARAMS,
  isochronic: TONE_PARAMS,
  noise: ['gain', 'pan', 'color'],
  file: ['gain', 'pan'],
};

/** One layer as the main thread knows it: its id and the parameters it accepts (null: it checks them itself). */
interface Entry {
  id: string | undefined;
  params: readonly string[] | null;
}

/**
 * The layers of a session in the engine's order, kept on the main thread while the engine
 * renders elsewhere: it resolves a layer reference (id or index) to the engine's index and
 * checks `set` parameters, so that a bad message is refused at once and a good one goes to the
 * synthesis as an index that cannot miss.
 */
export class LayerBook {
  private readonly entries: Entry[];

  constructor(layers: LayerSpec[]) {
    this.entries = layers.map((l) => ({ id: l.id, params: PARAMS_OF[l.type] }));
  }

  get size(): number {
    return this.entries.length;
  }

  /** The engine's index of layer `ref`; BAD_VALUE when there is none. */
  indexOf(ref: LayerRef): number {
    const book = this.entries;
    let i = typeof ref === 'number' ? ref : book.findIndex((l) => l.id === ref);
    if (i < 0 && typeof ref === 'string' && /^\d+$/.test(ref)) i = Number(ref);
    if (i < 0 || i >= book.length)
      throw invalid('BAD_VALUE', `no layer '${ref}' (layers: ${book.length})`, 'layer');
    return i;
  }

  /** Index of layer `ref` after checking that it has every parameter of `params`. */
  check(ref: LayerRef, params: Record<string, number | string>): number {
    const index = this.indexOf(ref);
    const accepted = this.entries[index]!.params;
    if (accepted === null) return index;
    for (const k of Object.keys(params)) {
      if (!accepted.includes(k)) {
        throw invalid(
          'BAD_VALUE',
          `layer '${ref}' has no parameter '${k}' (it has: ${accepted.join(', ')})`,
          `params.${k}`,
        );
      }
    }
    return index;
  }

  /** Book a new layer at the end; BAD_VALUE when its id is taken. */
  add(spec: LayerSpec): number {
    if (spec.id !== undefined && this.entries.some((l) => l.id === spec.id))
      throw invalid('BAD_VALUE', `layer id '${spec.id}' is already in use`, 'id');
    this.entries.push({ id: spec.id, params: PARAMS_OF[spec.type] });
    return this.entries.length - 1;
  }

  /** Book a layer that checks its own parameters (the MIDI voice). */
  attach(id: string): void {
    this.entries.push({ id, params: null });
  }

  has(id: string): boolean {
    return this.entries.some((l) => l.id === id);
  }

  remove(index: number): void {
    this.entries.splice(index, 1);
  }
}
