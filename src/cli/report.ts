import { createRequire } from 'node:module';
import type { ChalkInstance } from 'chalk';
import { ERROR_CODES, isOmniError } from '../errors.js';

let verbose = false;

/** Turn verbose reporting on or off (stack traces, details). */
export function setVerbose(on: boolean): void {
  verbose = on;
}

/** True when --verbose was given. */
export function isVerbose(): boolean {
  return verbose;
}

let colors: ChalkInstance | undefined;

/**
 * Colours for stderr: off with NO_COLOR, --no-color, or when stderr is not a terminal. chalk is
 * loaded on first use, so commands that print nothing never load it.
 */
export function stderrColors(): ChalkInstance {
  if (colors) return colors;
  const { Chalk, supportsColorStderr } = createRequire(import.meta.url)('chalk') as typeof import('chalk');
  const off = process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '';
  colors = new Chalk({ level: off ? 0 : supportsColorStderr ? supportsColorStderr.level : 0 });
  return colors;
}

/** Print an error as one line (`omnisonic: error: ...`) plus a hint; the stack only with --verbose. */
export function printError(e: unknown): void {
  const c = stderrColors();
  if (isOmniError(e)) {
    process.stderr.write(`${c.red('omnisonic: error:')} ${e.message}\n`);
    if (e.hint) process.stderr.write(`${c.dim(`hint: ${e.hint}`)}\n`);
    if (verbose)
      process.stderr.write(`${c.dim(`code ${e.code} (${ERROR_CODES[e.code].summary})`)}\n${e.stack}\n`);
    return;
  }
  const msg = e instanceof Error ? e.message : String(e);
  process.stderr.write(`${c.red('omnisonic: error:')} ${msg.split('\n')[0]}\n`);
  if (verbose && e instanceof Error) process.stderr.write(`${e.stack}\n`);
  else process.stderr.write(`${c.dim('hint: run with --verbose for details')}\n`);
}

/** A warning on stderr. */
export function warn(message: string): void {
  process.stderr.write(`${stderrColors().yellow('omnisonic: warning:')} ${message}\n`);
}

/** An informational line on stderr, only with --verbose. */
export function info(message: string): void {
  if (verbose) process.stderr.write(`${stderrColors().dim(message)}\n`);
}
