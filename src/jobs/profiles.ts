/**
 * Adaptive profiles shared by every process of a deployment, updated without lost updates:
 * - with Redis, each feedback is one Lua script (read, apply, write, atomically in Redis);
 * - without Redis under `--workers n`, the cluster's primary owns the profiles and the workers
 *   ask it over IPC, so every worker sees the same profile;
 * - alone, a map in memory updated synchronously.
 * The arithmetic is that of `applyFeedback` (src/harmony/profile.ts), in the same order.
 */
import cluster from 'node:cluster';
import type { Redis } from 'ioredis';
import {
  applyFeedback,
  DECAY,
  emptyProfile,
  type Profile,
  RATE,
  validateProfile,
} from '../harmony/profile.js';

/** Profiles are kept for 90 days after their last feedback. */
export const PROFILE_TTL_SEC = 90 * 86400;

/** Where a client's profile lives. */
export interface ProfileStore {
  get(client: string): Promise<Profile | undefined>;
  /** Apply one rating to the features of a suggestion, atomically; the profile after it. */
  feedback(client: string, features: readonly string[], rating: number): Promise<Profile>;
}

const keyOf = (client: string) => `omnisonic:v1:profile:${client}`;

/** Profiles of one process. */
export class MemoryProfiles implements ProfileStore {
  private readonly map = new Map<string, { profile: Profile; at: number }>();
  constructor(
    private readonly ttlMs = PROFILE_TTL_SEC * 1000,
    private readonly maxClients = 100_000,
  ) {}

  async get(client: string): Promise<Profile | undefined> {
    return this.getNow(client);
  }

  async feedback(client: string, features: readonly string[], rating: number): Promise<Profile> {
    return this.feedbackNow(client, features, rating);
  }

  /** Synchronous: no other update can come between the read and the write. */
  getNow(client: string, now = Date.now()): Profile | undefined {
    const e = this.map.get(client);
    if (e && now - e.at > this.ttlMs) this.map.delete(client);
    return e && now - e.at <= this.ttlMs ? e.profile : undefined;
  }

  feedbackNow(client: string, features: readonly string[], rating: number): Profile {
    const profile = applyFeedback(this.getNow(client) ?? emptyProfile(), { features }, rating);
    this.map.delete(client);
    this.map.set(client, { profile, at: Date.now() });
    // the least recently updated client goes first (a Map iterates in insertion order)
    if (this.map.size > this.maxClients) this.map.delete(this.map.keys().next().value!);
    return profile;
  }
}

const FEEDBACK_LUA = `
local raw = redis.call('GET', KEYS[1])
local p = nil
if raw then
  local ok, v = pcall(cjson.decode, raw)
  if ok and type(v) == 'table' then p = v end
end
if p == nil then p = { version = 1, weights = {}, likes = 0, dislikes = 0 } end
if type(p.weights) ~= 'table' then p.weights = {} end
local rating = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local keep = 1 - tonumber(ARGV[3])
for i = 5, #ARGV do
  local f = ARGV[i]
  local w = keep * (tonumber(p.weights[f]) or 0) + rate * rating
  if w > 1 then w = 1 elseif w < -1 then w = -1 end
  p.weights[f] = w
end
if rating > 0 then p.likes = (tonumber(p.likes) or 0) + 1 end
if rating < 0 then p.dislikes = (tonumber(p.dislikes) or 0) + 1 end
-- numbers with 17 digits: the exact doubles, as JSON.stringify gives them back
local parts = {}
for k, v in pairs(p.weights) do parts[#parts + 1] = cjson.encode(k) .. ':' .. string.format('%.17g', v) end
local out = '{"version":1,"weights":{' .. table.concat(parts, ',') .. '},"likes":' ..
  string.format('%d', tonumber(p.likes) or 0) .. ',"dislikes":' .. string.format('%d', tonumber(p.dislikes) or 0) .. '}'
redis.call('SET', KEYS[1], out, 'EX', tonumber(ARGV[4]))
return out
`;

/** Profiles in Redis, each feedback applied by one Lua script. */
export class RedisProfiles implements ProfileStore {
  constructor(private readonly redis: Redis) {}

  async get(client: string): Promise<Profile | undefined> {
    const raw = await this.redis.get(keyOf(client));
    return raw ? parseProfile(raw) : undefined;
  }

  async feedback(client: string, features: readonly string[], rating: number): Promise<Profile> {
    applyFeedback(emptyProfile(), { features }, rating); // the same checks as alone
    const out = (await this.redis.eval(
      FEEDBACK_LUA,
      1,
      keyOf(client),
      String(rating),
      String(RATE),
      String(DECAY),
      String(PROFILE_TTL_SEC),
      ...features,
    )) as string;
    return parseProfile(out) ?? emptyProfile();
  }
}

function parseProfile(raw: string): Profile | undefined {
  try {
    return validateProfile(JSON.parse(raw));
  } catch {
    return undefined;
  }
}

interface ProfileAsk {
  omniProfile: { seq: number; op: 'get' | 'feedback'; client: string; features?: string[]; rating?: number };
}
interface ProfileAnswer {
  omniProfileAnswer: { seq: number; profile?: Profile; error?: string };
}

/** In a cluster worker: the profiles of the primary, over IPC. */
export class ClusterProfiles implements ProfileStore {
  private seq = 0;
  private readonly waiting = new Map<
    number,
    { resolve: (p?: Profile) => void; reject: (e: Error) => void }
  >();

  constructor() {
    process.on('message', (m: Partial<ProfileAnswer>) => {
      const a = m?.omniProfileAnswer;
      const w = a && this.waiting.get(a.seq);
      if (!a || !w) return;
      this.waiting.delete(a.seq);
      if (a.error) w.reject(new Error(a.error));
      else w.resolve(a.profile);
    });
  }

  get(client: string): Promise<Profile | undefined> {
    return this.ask({ op: 'get', client });
  }

  async feedback(client: string, features: readonly string[], rating: number): Promise<Profile> {
    applyFeedback(emptyProfile(), { features }, rating);
    return (await this.ask({ op: 'feedback', client, features: [...features], rating })) ?? emptyProfile();
  }

  private ask(q: Omit<ProfileAsk['omniProfile'], 'seq'>): Promise<Profile | undefined> {
    const seq = ++this.seq;
    return new Promise((resolve, reject) => {
      this.waiting.set(seq, { resolve, reject });
      process.send!({ omniProfile: { ...q, seq } } satisfies ProfileAsk);
    });
  }
}

/**
 * In the primary of `serve --workers n` without Redis: own the profiles and answer the workers.
 * @example if (cluster.isPrimary && !redisUrl) serveProfilesToWorkers();
 */
export function serveProfilesToWorkers(store = new MemoryProfiles()): void {
  cluster.on('message', (worker, m: Partial<ProfileAsk>) => {
    const q = m?.omniProfile;
    if (!q) return;
    let answer: ProfileAnswer['omniProfileAnswer'];
    try {
      const profile =
        q.op === 'get'
          ? store.getNow(q.client)
          : store.feedbackNow(q.client, q.features ?? [], Number(q.rating));
      answer = { seq: q.seq, ...(profile ? { profile } : {}) };
    } catch (e) {
      answer = { seq: q.seq, error: (e as Error).message };
    }
    worker.send({ omniProfileAnswer: answer } satisfies ProfileAnswer);
  });
}

/** The profile store of a server process. */
export function profileStoreFor(redis: Redis | undefined): ProfileStore {
  if (redis) return new RedisProfiles(redis);
  if (cluster.isWorker && process.send) return new ClusterProfiles();
  return new MemoryProfiles();
}
