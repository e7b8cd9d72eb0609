/** Listeners of job changes, by job id (both stores use it). */
import { isOmniError } from '../errors.js';
import type { JobEvent } from './types.js';

export class JobListeners {
  private readonly byId = new Map<string, Set<(e: JobEvent) => void>>();

  add(id: string, listener: (e: JobEvent) => void): () => void {
    let set = this.byId.get(id);
    if (!set) {
      set = new Set();
      this.byId.set(id, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.byId.get(id) === set) this.byId.delete(id);
    };
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  emit(e: JobEvent): void {
    for (const l of this.byId.get(e.id) ?? []) l(e);
  }

  clear(): void {
    this.byId.clear();
  }
}

/** The `error` of a failed job: the code and message of a catalogued error, else only the code. */
export function jobError(e: unknown): { code: string; message: string } {
  if (isOmniError(e) && e.httpStatus < 500) return { code: e.code, message: e.message };
  if (isOmniError(e)) return { code: e.code, message: e.message.split('\n')[0] ?? e.code };
  return { code: 'INTERNAL', message: 'the job failed (see the log of the process that ran it)' };
}
