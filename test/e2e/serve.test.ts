import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../ws/server.js';

// The live endpoint and the control page as a user gets them: `omnisonic serve` (built binary).
describe('omnisonic serve: WebSocket endpoint and control page', () => {
  let proc: ChildProcess;
  let base = '';

  beforeAll(async () => {
    proc = spawn(
      process.execPath,
      ['bin/omnisonic.cjs', 'serve', '--port', '0', '--api-key', 'k3y-secret-42', '--log-level', 'silent'],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let err = '';
    base = await new Promise<string>((resolve, reject) => {
      proc.stderr!.on('data', (d) => {
        err += String(d);
        const m = /serving on (http:\/\/[\d.]+:\d+)/.exec(err);
        if (m) resolve(m[1]!);
      });
      proc.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${err}`)));
    });
  });

  afterAll(async () => {
    if (proc && proc.exitCode === null) {
      proc.kill('SIGTERM');
      await new Promise((r) => proc.once('exit', r));
    }
  });

  it('serves the page, streams a preset to a client with the key, and counts the session', async () => {
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('/ui/app.js');
    expect((await fetch(`${base}/ui/worklet.js`)).status).toBe(200);

    const wsBase = base.replace('http', 'ws');
    const refused = new Client(`${wsBase}/ws/audio-stream/`);
    await expect(refused.opened()).rejects.toThrow(/401/);

    const c = new Client(`${wsBase}/ws/audio-stream/?key=k3y-secret-42`);
    await c.opened();
    c.send({
      type: 'start',
      preset: 'alpha-relax',
      audio: { sampleRate: 48000, channels: 2 },
      viz: { fps: 10, bins: 32 },
    });
    const started = await c.next('started');
    expect(started).toMatchObject({ sampleRate: 48000, channels: 2, format: 'f32' });
    await c.until(() => c.audio.length > 20 && c.json.some((m) => m.type === 'viz'), 5000, 'audio and viz');
    const metrics = await (
      await fetch(`${base}/metrics`, { headers: { 'X-API-Key': 'k3y-secret-42' } })
    ).text();
    expect(metrics).toMatch(/omnisonic_ws_sessions 1\b/);
    // the preset fades in slowly: its first samples are quiet but not silent
    let peak = 0;
    for (const f of c.audio) for (const v of f.samples) peak = Math.max(peak, Math.abs(v));
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(1);
    c.close();
    await c.until(() => c.closed !== null, 3000, 'close');
  });
});
