import { isOmniError, OmniError } from '../errors.js';
import { loadPresetFile } from '../presets/load.js';
import { findPreset, getPreset, listPresets } from '../presets/resolve.js';
import { sampleRateOf } from './options.js';
import { printError, stderrColors } from './report.js';

function dirsOf(opts: Record<string, unknown>): string[] {
  return (opts.presetDir as string[] | undefined) ?? [];
}

/** Seconds as 90s, 30m, 1h30m. */
export function formatDuration(sec: number): string {
  if (sec < 120) return `${Number(sec.toFixed(2))}s`;
  const h = Math.floor(sec / 3600);
  const m = Math.floor((sec % 3600) / 60);
  const s = Math.round(sec % 60);
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}`;
}

/** `omnisonic presets list [--json]` */
export async function runPresetsList(opts: Record<string, unknown>): Promise<void> {
  const all = await listPresets({ presetDirs: dirsOf(opts) });
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(all, null, 2)}\n`);
    return;
  }
  const width = Math.max(4, ...all.map((p) => p.name.length));
  for (const p of all) {
    const origin = p.origin === 'builtin' ? '' : ` [${p.origin}]`;
    const summary =
      p.error ?? `${formatDuration(p.duration).padStart(6)}  ${(p.description ?? '').split(/(?<=\.)\s/)[0]}`;
    process.stdout.write(`${p.name.padEnd(width)}  ${summary}${origin}\n`);
  }
}

/** `omnisonic presets show <name>` */
export async function runPresetsShow(name: string, opts: Record<string, unknown>): Promise<void> {
  const { preset } = await getPreset(name, { presetDirs: dirsOf(opts) });
  process.stdout.write(`${JSON.stringify(preset, null, 2)}\n`);
}

/**
 * `omnisonic presets validate <file...>`: every file is checked and reported ("ok", or its
 * error); exit 2 when any failed.
 */
export async function runPresetsValidate(files: string[], opts: Record<string, unknown>): Promise<void> {
  const ctx = opts.rate === undefined ? {} : { sampleRate: sampleRateOf(opts) };
  const c = stderrColors();
  let failed = 0;
  let last: unknown;
  for (const f of files) {
    try {
      const { file, shown } = findPreset(f, { presetDirs: dirsOf(opts) });
      const { preset } = await loadPresetFile(file, shown, ctx);
      const steps = preset.timeline?.length ?? 0;
      process.stderr.write(`${c.green('ok')} ${shown} (${preset.layers.length} layers, ${steps} steps)\n`);
    } catch (e) {
      if (!isOmniError(e)) throw e;
      failed++;
      last = e;
      if (files.length > 1) printError(e);
    }
  }
  if (failed === 0) return;
  if (files.length === 1) throw last;
  throw new OmniError('BAD_PRESET', `${failed} of ${files.length} preset files are invalid`);
}
