/**
 * Job progress on the WebSocket: a session sends `{ "type": "job", "id": "<job id>" }` and gets
 * `{ "type": "job", id, status, progress }` now and at every change until the job is completed
 * or failed, so a page need not poll `GET /jobs/{id}`.
 */
import { isFinal, type JobStore } from './types.js';

/** Most jobs one connection follows at once. */
export const MAX_JOB_SUBSCRIPTIONS = 64;

export interface JobSubscriptions {
  /** Handles a `{type:"job"}` text message; false for every other message. */
  onMessage(data: Buffer): boolean;
  dispose(): void;
}

/** Subscriptions of one connection; `send` writes a JSON message to it. */
export function jobSubscriptions(store: JobStore, send: (msg: object) => void): JobSubscriptions {
  const subs = new Map<string, () => void>();
  let disposed = false;
  const follow = (id: string) => {
    if (subs.has(id)) return;
    if (subs.size >= MAX_JOB_SUBSCRIPTIONS) {
      send({
        type: 'error',
        code: 'TOO_LARGE',
        message: `at most ${MAX_JOB_SUBSCRIPTIONS} jobs followed at once`,
      });
      return;
    }
    const stop = () => {
      subs.get(id)?.();
      subs.delete(id);
    };
    subs.set(
      id,
      store.subscribe(id, (e) => {
        send({ type: 'job', id, status: e.status, progress: e.progress });
        if (isFinal(e.status)) stop();
      }),
    );
    store.get(id).then(
      (v) => {
        if (disposed) return;
        if (!v) {
          send({ type: 'error', code: 'NOT_FOUND', message: `no job ${id}` });
          stop();
          return;
        }
        send({ type: 'job', id, status: v.status, progress: v.progress });
        if (isFinal(v.status)) stop();
      },
      (e: Error & { code?: string }) => {
        send({ type: 'error', code: e.code ?? 'INTERNAL', message: e.message });
        stop();
      },
    );
  };
  return {
    onMessage(data) {
      if (data.length > 512 || !data.includes('"job"')) return false;
      let msg: { type?: unknown; id?: unknown };
      try {
        msg = JSON.parse(data.toString('utf8'));
      } catch {
        return false;
      }
      if (msg?.type !== 'job') return false;
      if (typeof msg.id !== 'string' || msg.id.length === 0 || msg.id.length > 100) {
        send({ type: 'error', code: 'BAD_MESSAGE', message: 'job: id must be the id POST /jobs/ returned' });
        return true;
      }
      follow(msg.id);
      return true;
    },
    dispose() {
      disposed = true;
      for (const stop of subs.values()) stop();
      subs.clear();
    },
  };
}
