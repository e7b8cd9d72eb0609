import { nowMs } from '../clock.js';
import { OmniError } from '../errors.js';
import { defaultExport } from '../io/default-export.js';
import { type OutputPlan, writeOutput } from '../io/output.js';
import { Engine } from '../render/engine.js';
import type { Scene } from '../render/scene.js';
import { parseDuration } from '../render/values.js';
import { info, warn } from './report.js';

/** Fades from --fade / --fade-in / --fade-out (0 allowed). */
export function fadesOf(opts: Record<string, unknown>): { fadeIn: number; fadeOut: number } {
  const one = (v: unknown, name: string): number => {
    const s = String(v).trim();
    if (s === '0' || /^0+(\.0*)?\s*(s|ms)?$/i.test(s)) return 0;
    return parseDuration(s, name, false);
  };
  const both = one(opts.fade ?? '10ms', '--fade');
  return {
    fadeIn: opts.fadeIn !== undefined ? one(opts.fadeIn, '--fade-in') : both,
    fadeOut: opts.fadeOut !== undefined ? one(opts.fadeOut, '--fade-out') : both,
  };
}

/** Signals that stop a render and discard its output (exit 130, INTERRUPTED). */
const INTERRUPTS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** Long renders on a terminal show a spinner with progress (ora), loaded only then. */
async function progressFor(
  engine: Engine,
  plan: OutputPlan,
): Promise<{ update(f: number): void; stop(): void }> {
  const seconds = engine.totalFrames / engine.sampleRate;
  const slow = seconds > 120 || (plan.type !== 'wav' && plan.type !== 'raw' && seconds > 20);
  const none = { update() {}, stop() {} };
  if (!slow || !Number.isFinite(seconds)) return none;
  // a spinner needs a real terminal: some pseudo-terminals report zero columns, where ora
  // would redraw forever. node:tty loads the net and stream modules (a few ms), so short renders
  // never ask; isatty first, as process.stderr is not even made when it is not a terminal.
  const { isatty } = await import('node:tty');
  if (!isatty(2) || (process.stderr.columns ?? 0) <= 0) return none;
  const ora = defaultExport<typeof import('ora').default>(await import('ora'));
  // enabled by the checks above: ora alone would print a static line when CI is set, and keep it
  const spinner = ora({ text: 'rendering', stream: process.stderr, isEnabled: true }).start();
  let last = 0;
  return {
    update(frames: number) {
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      spinner.text = `rendering ${((100 * frames) / engine.totalFrames).toFixed(0)}% (${(frames / engine.sampleRate).toFixed(0)} of ${seconds.toFixed(0)} s)`;
    },
    stop() {
      spinner.stop();
    },
  };
}

/**
 * Render `scene` to `plan` as the CLI does: progress on a terminal, Ctrl-C discards the output
 * (nothing half-written is left), clipped samples reported. `prepare` runs on the engine
 * before rendering (to attach ready-made layers).
 */
export async function runScene(
  scene: Scene,
  plan: OutputPlan,
  prepare?: (engine: Engine) => void,
): Promise<void> {
  const engine = new Engine(scene);
  prepare?.(engine); // e.g. attach a ready-made layer (the MIDI synthesizer)
  info(
    `${scene.layers.length} layer(s), ${engine.channels} synthesis channel(s), ${plan.sampleRate} Hz, ${plan.format}, ${plan.channels} ch -> ${plan.target === '-' ? 'stdout' : plan.target} (${plan.type})`,
  );
  if (engine.normalization < 1)
    info(`normalised: gains scaled by ${engine.normalization.toFixed(4)} to stay under -1 dBFS`);
  // a plain flag, not an AbortController: that global loads a module of its own (start-up time)
  const interrupt = { aborted: false };
  const onSignal = () => {
    interrupt.aborted = true;
  };
  // a closed terminal (SIGHUP) is an interruption as Ctrl-C is: the output is discarded
  for (const signal of INTERRUPTS) process.once(signal, onSignal);
  const progress = await progressFor(engine, plan);
  const t0 = nowMs();
  try {
    const result = await writeOutput(engine, plan, {
      onProgress: progress.update,
      signal: interrupt,
    });
    progress.stop();
    const secs = result.frames / engine.sampleRate;
    info(`wrote ${secs.toFixed(3)} s, ${result.bytes} bytes in ${((nowMs() - t0) / 1000).toFixed(3)} s`);
    if (result.clipped > 0)
      warn(
        `${result.clipped} samples clipped (the mix exceeds full scale; drop --no-normalize or lower gains)`,
      );
  } catch (e) {
    progress.stop();
    if (interrupt.aborted) {
      throw new OmniError('INTERRUPTED', 'interrupted: nothing was written');
    }
    throw e;
  } finally {
    for (const signal of INTERRUPTS) process.off(signal, onSignal);
  }
}
