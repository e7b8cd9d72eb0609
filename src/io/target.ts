import { lstatSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { invalid, OmniError } from '../errors.js';

/**
 * Where `-o` points, as the writer must treat it:
 * - `stdout`: standard output (`-`, `/dev/stdout`, `/dev/fd/1`, `/proc/self/fd/1`);
 * - `stream`: something that is not a regular file (a device such as /dev/null or /dev/full, a
 *   FIFO, another open descriptor): written directly, in order, never replaced;
 * - `file`: a regular file (or a new one), at its real path once symbolic links are followed,
 *   written under a temporary name beside it and renamed into place, so the link stays a link.
 */
export type OutputTarget =
  | { kind: 'stdout' }
  | { kind: 'stream'; path: string }
  | { kind: 'file'; path: string };

/** Names of standard output: /dev/stdout, /dev/fd/1, /proc/self/fd/1, /proc/<our pid>/fd/1. */
function isStdoutName(path: string): boolean {
  if (path === '/dev/stdout' || path === '/dev/fd/1' || path === '/proc/self/fd/1') return true;
  return path === `/proc/${process.pid}/fd/1`;
}

/** Names of open descriptors: their target (a pipe, a socket) cannot be renamed over. */
function isDescriptorName(path: string): boolean {
  return /^\/(dev\/fd|proc\/(self|\d+)\/fd)\/\d+$/.test(path) || path === '/dev/stderr';
}

/** The end of a chain of symbolic links that leads nowhere yet (a link to a file to be made). */
function danglingEnd(path: string): string {
  let p = resolve(path);
  for (let hops = 0; hops < 40; hops++) {
    let link: string;
    try {
      if (!lstatSync(p).isSymbolicLink()) return p;
      link = readlinkSync(p);
    } catch {
      return p;
    }
    p = resolve(dirname(p), link);
  }
  throw new OmniError('IO_ERROR', `cannot write ${path}: too many levels of symbolic links`);
}

/**
 * Classify an output path (see {@link OutputTarget}).
 * @example outputTarget('/dev/null') // { kind: 'stream', path: '/dev/null' }
 */
export function outputTarget(target: string): OutputTarget {
  if (target === '-' || isStdoutName(target)) return { kind: 'stdout' };
  if (isDescriptorName(target)) return { kind: 'stream', path: target };
  let st: ReturnType<typeof statSync> | undefined;
  try {
    st = statSync(target);
  } catch {
    st = undefined;
  }
  if (st === undefined) return { kind: 'file', path: danglingEnd(target) };
  if (st.isDirectory())
    throw new OmniError('IO_ERROR', `cannot write ${target}: is a folder`, { hint: 'give a file name' });
  if (!st.isFile()) return { kind: 'stream', path: target };
  return { kind: 'file', path: realpathSync(target) };
}

/**
 * Refuse (BAD_USAGE, exit 2) an output that is one of the inputs: writing it would destroy the
 * input while it is read. Files are compared by device and inode, so links and other spellings
 * of the same file are caught.
 */
export function refuseInputAsOutput(target: string, inputs: readonly string[]): void {
  const out = outputTarget(target);
  if (out.kind !== 'file') return;
  let o: ReturnType<typeof statSync>;
  try {
    o = statSync(out.path);
  } catch {
    return; // a new file cannot be an input
  }
  for (const input of inputs) {
    let i: ReturnType<typeof statSync>;
    try {
      i = statSync(input);
    } catch {
      continue;
    }
    if (i.dev === o.dev && i.ino === o.ino) {
      throw invalid(
        'BAD_USAGE',
        `-o ${target}: the output is the input file ${input}; writing it would destroy the input`,
        'output',
        'write to another file, then rename it',
      );
    }
  }
}
