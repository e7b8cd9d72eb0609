/**
 * `--max-sessions` across every instance sharing a Redis: each live session holds a slot, a
 * member of one sorted set scored by the time its instance last confirmed it. Taking a slot is
 * one Lua script (drop stale members, count, add), so two instances never both take the last
 * one. Instances confirm their slots every few seconds; the slots of an instance that died go
 * stale and free themselves. While Redis is away, only each instance's own limit applies.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

const KEY = 'omnisonic:v1:sessions';
/** A slot not confirmed for this long is free again, ms. */
export const SLOT_STALE_MS = 30_000;
const CONFIRM_EVERY_MS = 10_000;

const TAKE_LUA = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[1]) - tonumber(ARGV[2]))
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) * 2)
return 1
`;

/** What the WebSocket plugin asks before it accepts a session. */
export interface SessionSlots {
  /** A release function when a slot was taken, null when every slot is in use. */
  acquire(): Promise<(() => void) | null>;
  close(): void;
}

/** Slots of `max` sessions over every instance using `redis`. */
export class RedisSessionSlots implements SessionSlots {
  private readonly held = new Set<string>();
  private readonly timer: NodeJS.Timeout;
  private readonly instance = randomUUID();

  constructor(
    private readonly redis: Redis,
    private readonly max: number,
  ) {
    this.timer = setInterval(() => void this.confirm(), CONFIRM_EVERY_MS);
    this.timer.unref();
  }

  async acquire(): Promise<(() => void) | null> {
    const member = `${this.instance}:${randomUUID()}`;
    let taken: number;
    try {
      taken = (await this.redis.eval(
        TAKE_LUA,
        1,
        KEY,
        Date.now(),
        SLOT_STALE_MS,
        this.max,
        member,
      )) as number;
    } catch {
      return () => {}; // Redis away: the instance's own limit still holds
    }
    if (taken !== 1) return null;
    this.held.add(member);
    return () => {
      if (!this.held.delete(member)) return;
      void this.redis.zrem(KEY, member).catch(() => {});
    };
  }

  close(): void {
    clearInterval(this.timer);
    const members = [...this.held];
    this.held.clear();
    if (members.length > 0) void this.redis.zrem(KEY, ...members).catch(() => {});
  }

  private async confirm(): Promise<void> {
    if (this.held.size === 0) return;
    const now = Date.now();
    const args = [...this.held].flatMap((m) => [now, m]);
    await this.redis.zadd(KEY, ...args).catch(() => {});
  }
}
