import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './server.js';

// examples/ws-client.mjs runs as documented against a live endpoint
describe('examples/ws-client.mjs', () => {
  let server: TestServer;
  let dir: string;
  beforeAll(async () => {
    server = await startServer();
    dir = mkdtempSync(join(tmpdir(), 'omni-ws-example-'));
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('records the stream to a WAV with the glide it asked for', async () => {
    const out = join(dir, 'live.wav');
    const child = spawn(process.execPath, ['examples/ws-client.mjs', server.wsUrl, out, '1.5'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d) => {
      err += String(d);
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code, err).toBe(0);
    expect(err).toMatch(/set 1 applies from frame \d+/);
    expect(err).not.toMatch(/gap/);
    const wav = readFileSync(out);
    expect(wav.toString('ascii', 0, 4)).toBe('RIFF');
    expect(wav.readUInt16LE(22)).toBe(2);
    expect(wav.readUInt32LE(24)).toBe(48000);
    const frames = wav.readUInt32LE(40) / 4;
    // 1.5 s until stop, plus the 50 ms fade (and the lookahead already sent)
    expect(frames / 48000).toBeGreaterThan(1.5);
    expect(frames / 48000).toBeLessThan(1.7);
    const pcm = new Int16Array(wav.buffer.slice(wav.byteOffset + 44, wav.byteOffset + wav.length));
    const peak = pcm.reduce((m, v) => Math.max(m, Math.abs(v)), 0) / 32768;
    // a triangle at -12 dB, centre pan: 0.25 * 0.707
    expect(peak).toBeGreaterThan(0.15);
    expect(peak).toBeLessThan(0.2);
  });
});
