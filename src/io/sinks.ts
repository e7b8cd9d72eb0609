import { close, closeSync, fsyncSync, open, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { OmniError } from '../errors.js';

/**
 * Where rendered bytes go. `write` may keep no reference to the chunk after it returns or
 * resolves (the caller reuses it). `closed` turns true when the reader went away (a closed
 * pipe): the render then stops quietly.
 */
export interface ByteSink {
  write(chunk: Uint8Array): void | Promise<void>;
  /** Commit the output (rename into place, flush). `header` replaces the first bytes when given. */
  finish(header?: Uint8Array): Promise<void>;
  /** Throw the output away: nothing is left, and what was there before is untouched. */
  abort(): Promise<void>;
  readonly closed: boolean;
}

let tempCounter = 0;

/** A name beside `path` for writing before the rename: same folder, so the rename is atomic. */
export function tempPathFor(path: string): string {
  tempCounter = (tempCounter + 1) % 0x10000;
  const rand = `${Date.now().toString(36)}${tempCounter.toString(36)}`;
  return join(dirname(path), `.${basename(path)}.${process.pid}.${rand}.tmp`);
}

/** Translate a file system error into a one-line IO_ERROR. */
export function ioError(e: unknown, path: string, verb: string): OmniError {
  const err = e as NodeJS.ErrnoException;
  const reason =
    err.code === 'ENOENT'
      ? 'no such folder'
      : err.code === 'EACCES' || err.code === 'EPERM'
        ? 'permission denied'
        : err.code === 'ENOSPC'
          ? 'no space left on device'
          : err.code === 'EISDIR'
            ? 'is a folder'
            : err.code === 'EROFS'
              ? 'read-only file system'
              : (err.message ?? String(e));
  return new OmniError('IO_ERROR', `cannot ${verb} ${path}: ${reason}`, { cause: e });
}

/**
 * A file written under a temporary name in the same folder and renamed over `path` only when
 * complete, so a failed or interrupted run never leaves a truncated file nor damages an old one.
 */
export class FileSink implements ByteSink {
  readonly closed = false;
  private readonly path: string;
  private readonly real: string;
  private readonly tmp: string;
  private fd: number | null;

  /** `path` is the real path (symbolic links followed: the link stays, its target is written). */
  constructor(path: string, shown = path) {
    this.path = shown;
    this.real = path;
    this.tmp = tempPathFor(path);
    try {
      this.fd = openSync(this.tmp, 'wx', 0o644);
    } catch (e) {
      throw ioError(e, shown, 'write');
    }
  }

  write(chunk: Uint8Array): void {
    let off = 0;
    try {
      while (off < chunk.length) off += writeSync(this.fd!, chunk, off, chunk.length - off);
    } catch (e) {
      throw ioError(e, this.path, 'write');
    }
  }

  async finish(header?: Uint8Array): Promise<void> {
    try {
      if (header) writeSync(this.fd!, header, 0, header.length, 0);
      fsyncSync(this.fd!);
      closeSync(this.fd!);
      this.fd = null;
      renameSync(this.tmp, this.real);
    } catch (e) {
      await this.abort();
      throw ioError(e, this.path, 'write');
    }
  }

  async abort(): Promise<void> {
    if (this.fd !== null) {
      try {
        closeSync(this.fd);
      } catch {}
      this.fd = null;
    }
    try {
      unlinkSync(this.tmp);
    } catch {}
  }
}

/**
 * Something that is not a regular file: a device (/dev/null, /dev/full, a terminal), a FIFO, an
 * open descriptor (/proc/self/fd/N). Written directly and in order, never replaced; the WAV
 * header is not rewritten (it cannot be sought back to). A reader that closes a FIFO ends the
 * render quietly, as for standard output; a device that fails (/dev/full) is an IO_ERROR.
 */
export class StreamSink implements ByteSink {
  private isClosed = false;
  private fd: number | null;

  private constructor(
    private readonly path: string,
    fd: number,
  ) {
    this.fd = fd;
  }

  /** Open `path` for writing (a FIFO waits here for its reader, without blocking signals). */
  static async open(path: string): Promise<StreamSink> {
    const fd = await new Promise<number>((resolve, reject) =>
      open(path, 'w', (e, fd) => (e ? reject(ioError(e, path, 'write')) : resolve(fd))),
    );
    return new StreamSink(path, fd);
  }

  get closed(): boolean {
    return this.isClosed;
  }

  write(chunk: Uint8Array): void {
    if (this.isClosed || this.fd === null) return;
    let off = 0;
    try {
      while (off < chunk.length) off += writeSync(this.fd, chunk, off, chunk.length - off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EPIPE') {
        this.isClosed = true;
        return;
      }
      throw ioError(e, this.path, 'write');
    }
  }

  async finish(): Promise<void> {
    await this.abort();
  }

  async abort(): Promise<void> {
    const fd = this.fd;
    this.fd = null;
    if (fd !== null) await new Promise<void>((resolve) => close(fd, () => resolve()));
  }
}

/**
 * Standard output. A reader that closes the pipe early (`| head -c 1000`) ends the render
 * quietly: `closed` turns true and nothing is reported.
 */
export class StdoutSink implements ByteSink {
  private isClosed = false;
  private failure: Error | null = null;
  private readonly out: NodeJS.WriteStream;

  constructor(out: NodeJS.WriteStream = process.stdout) {
    this.out = out;
    out.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') this.isClosed = true;
      else this.failure = e;
    });
  }

  get closed(): boolean {
    return this.isClosed;
  }

  async write(chunk: Uint8Array): Promise<void> {
    if (this.failure) throw ioError(this.failure, 'standard output', 'write to');
    if (this.isClosed) return;
    // no copy: the caller reuses `chunk` once this resolves, so it waits until the stream has
    // handed all of it over (at once for a pipe or file on Linux)
    await new Promise<void>((resolve) => {
      this.out.write(chunk, () => resolve());
    });
  }

  async finish(): Promise<void> {
    if (this.out.writableLength > 0 && !this.isClosed) await this.drain();
    if (this.failure) throw ioError(this.failure, 'standard output', 'write to');
  }

  async abort(): Promise<void> {}

  private drain(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.out.off('drain', done);
        this.out.off('error', done);
        this.out.off('close', done);
        resolve();
      };
      this.out.on('drain', done);
      this.out.on('error', done);
      this.out.on('close', done);
    });
  }
}
