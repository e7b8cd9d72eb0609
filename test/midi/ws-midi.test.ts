/**
 * A live WebSocket session started with MIDI only (`{"type":"start","midi":true}`): no layers,
 * and `midi` messages play the default bank's instruments, heard in the audio frames.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, sleep, startServer, type TestServer } from '../ws/server.js';
import { harmonicProfile, haveDefaultBank, profileDistance } from './sf-helpers.js';

const have = haveDefaultBank();
const SR = 44100;
let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

async function session(start: Record<string, unknown>): Promise<Client> {
  const c = new Client(server.wsUrl);
  await c.opened();
  c.send({ type: 'start', audio: { channels: 2, sampleRate: SR }, ...start });
  await c.until(() => c.json.some((m) => m.type === 'started' || m.type === 'error'), 10_000, 'started');
  return c;
}

/** Left channel of the audio frames from index `from` on. */
function left(c: Client, from: number): Float64Array {
  const frames = c.audio.slice(from);
  const out = new Float64Array(frames.reduce((n, f) => n + f.frames, 0));
  let p = 0;
  for (const f of frames) for (let i = 0; i < f.frames; i++) out[p++] = f.samples[2 * i]!;
  return out;
}

/** Play `program` A5 for a while and return the left channel heard from the note-on. */
async function play(c: Client, program: number): Promise<Float64Array> {
  c.send({ type: 'midi', data: [0xc0, program] });
  const mark = c.audio.length;
  c.send({ type: 'midi', data: [0x90, 81, 110] }); // A5, 880 Hz
  await c.until(() => left(c, mark).length > SR * 0.9, 10_000, 'audio');
  c.send({ type: 'midi', data: [0x80, 81, 0] });
  await sleep(300);
  return left(c, mark);
}

describe.skipIf(!have)('WebSocket session started with MIDI only', () => {
  it('starts with no layers and plays the bank: piano and flute at 880 Hz, unlike each other', async () => {
    const c = await session({ midi: true });
    expect(c.json.find((m) => m.type === 'error')).toBeUndefined();
    const piano = await play(c, 0);
    const flute = await play(c, 73);
    c.close();
    const at = Math.round(0.15 * SR);
    const energy = (x: Float64Array) => x.subarray(at, at + 8192).reduce((s, v) => s + v * v, 0);
    expect(energy(piano)).toBeGreaterThan(0.5);
    const pp = harmonicProfile(piano, 880, at, 8192);
    const pf = harmonicProfile(flute, 880, at, 8192);
    expect(pp[0]).toBeGreaterThan(-6); // the fundamental is (near) the strongest partial
    expect(profileDistance(pp, pf)).toBeGreaterThan(6);
  });

  it('takes a named bank the server knows, and refuses an unknown one', async () => {
    const ok = await session({ midi: { soundfont: 'TimGM6mb' } });
    expect(ok.json.find((m) => m.type === 'error')).toBeUndefined();
    ok.close();
    const bad = await session({ midi: { soundfont: 'nope' } });
    expect(bad.json.find((m) => m.type === 'error')).toMatchObject({ code: 'BAD_VALUE' });
    bad.close();
  });
});
