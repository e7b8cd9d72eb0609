import type { NoiseColor } from '../dsp/noise.js';
import type { Wave } from '../dsp/oscillator.js';
import { invalid, isOmniError, OmniError } from '../errors.js';
import type { MixLayer } from './build.js';
import { parseFrequency, parseGain, parseNumber } from './values.js';

export interface LayerSyntaxOptions {
  a4?: number;
  sampleRate?: number;
}

/**
 * Parse mix layers written as `<freq>[:<wave>][@<gain>][~<pan>]`, `noise:<color>[@gain][~pan]`
 * or `file:<path>[@gain][~pan]`. A frequency may be Hz, a note, or a ratio (`3/2`) to the first
 * tone layer. Errors name the layer and what is wrong with it.
 * @example parseLayers(['A4', '3/2:saw@-12dB~0.5'])[1].freq // 660
 */
export function parseLayers(texts: string[], opts: LayerSyntaxOptions = {}): MixLayer[] {
  let root: number | undefined;
  return texts.map((text, i) => {
    try {
      const layer = parseLayer(text, root, opts);
      if (layer.kind === 'tone' && root === undefined) root = layer.freq;
      return layer;
    } catch (e) {
      if (isOmniError(e)) {
        throw new OmniError(
          e.code === 'BAD_FREQUENCY' ? 'BAD_FREQUENCY' : e.code,
          `layer ${i + 1} '${text}': ${stripField(e.message)}`,
          {
            field: `layers[${i}]`,
            hint: e.hint ?? 'layer syntax: <freq>[:<wave>][@<gain>][~<pan>], noise:<color>, file:<path>',
          },
        );
      }
      throw e;
    }
  });
}

function stripField(msg: string): string {
  return msg.replace(/^[\w .[\]]+: /, '');
}

function parseLayer(text: string, root: number | undefined, opts: LayerSyntaxOptions): MixLayer {
  let body = text.trim();
  if (body === '') throw invalid('BAD_LAYER', 'empty layer');
  const out: Partial<MixLayer> = {};
  // pan and gain come last and cannot contain '~' or '@'
  const tilde = body.lastIndexOf('~');
  if (tilde >= 0) {
    out.pan = parseNumber(body.slice(tilde + 1), 'pan', -1, 1);
    body = body.slice(0, tilde);
  }
  const at = body.lastIndexOf('@');
  if (at >= 0) {
    out.gain = parseGain(body.slice(at + 1), 'gain');
    body = body.slice(0, at);
  }
  const colon = body.indexOf(':');
  const head = colon >= 0 ? body.slice(0, colon) : body;
  const tail = colon >= 0 ? body.slice(colon + 1) : undefined;
  if (head.toLowerCase() === 'noise') {
    if (!tail) throw invalid('BAD_LAYER', 'noise needs a colour, one of noise:white|pink|brown|blue|violet');
    return { kind: 'noise', color: tail.toLowerCase() as NoiseColor, ...out };
  }
  if (head.toLowerCase() === 'file') {
    if (!tail) throw invalid('BAD_LAYER', 'file needs a path, as in file:rain.wav');
    return { kind: 'file', path: tail, ...out };
  }
  if (head === '') throw invalid('BAD_LAYER', 'missing frequency');
  let freq: number;
  const ratio = /^(\d+(?:\.\d+)?)\/(\d+(?:\.\d+)?)$/.exec(head);
  if (ratio) {
    if (root === undefined)
      throw invalid('BAD_LAYER', 'a ratio needs a tone layer with a frequency before it');
    const den = Number(ratio[2]);
    if (den === 0) throw invalid('BAD_LAYER', 'ratio with a zero denominator');
    freq = (root * Number(ratio[1])) / den;
    if (freq <= 0) throw invalid('BAD_FREQUENCY', `ratio gives ${freq} Hz, must be > 0`);
  } else {
    freq = parseFrequency(head, { a4: opts.a4, field: 'frequency' });
  }
  if (opts.sampleRate !== undefined && freq >= opts.sampleRate / 2) {
    throw invalid(
      'BAD_FREQUENCY',
      `must be > 0 and < ${opts.sampleRate / 2} (Nyquist), got ${head} = ${+freq.toFixed(3)} Hz`,
    );
  }
  if (tail === '') throw invalid('BAD_LAYER', "missing waveform after ':'");
  return { kind: 'tone', freq, ...(tail !== undefined ? { wave: tail.toLowerCase() as Wave } : {}), ...out };
}
