import type { Browser, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BROWSER_TEST_MS,
  haveChromium,
  launch,
  type Msg,
  type ServeProcess,
  serve,
  serveHasFlag,
  Traffic,
} from './browser.js';

// The page against `omnisonic serve` as a user runs it (the built binary in a child process).
describe.skipIf(!haveChromium)('control page: recovery and LAN use', () => {
  const servers: ServeProcess[] = [];
  const browsers: Browser[] = [];

  afterAll(async () => {
    for (const b of browsers) await b.close();
    for (const s of servers) await s.stop('SIGKILL');
  });

  async function start(port: number, extra: string[] = []): Promise<ServeProcess> {
    const s = await serve(port, extra);
    servers.push(s);
    return s;
  }

  const debugOf = (page: Page) => page.evaluate(() => window.__omnisonic);

  it(
    'reconnects after the server is killed and restarted on the same port, restoring the scene',
    async () => {
      const first = await start(0);
      const browser = await launch();
      browsers.push(browser);
      const page = await browser.newPage();
      page.setDefaultTimeout(60_000);
      const t = new Traffic(page);
      await page.goto(`http://127.0.0.1:${first.port}/`);
      await page.click('#start');
      await page.waitForFunction(() => window.__omnisonic.state === 'live');
      await page.fill('#L-tone1-freq', '523.251');
      await page.press('#L-tone1-freq', 'Enter');
      await page.click('[data-add="noise"]');
      await t.until(() => t.received.some((m) => m.type === 'added'), 'noise added');
      await t.until(() => t.framesOf(1) > 48000, 'a second of audio');
      const before = await debugOf(page);

      await first.stop('SIGKILL');
      await page.waitForFunction(() => window.__omnisonic.state === 'reconnecting');
      expect(await page.textContent('#conn')).toMatch(/^reconnecting/);
      const framesAtDeath = (await debugOf(page)).audioFrames;

      await start(first.port);
      await page.waitForFunction(() => window.__omnisonic.state === 'live');
      const after = await debugOf(page);
      expect(after.session).not.toBe(before.session);
      expect(after.reconnects).toBe(1);
      // the new session starts with the scene as it was, edits and added layers included
      const restart = t.sentOf('start').at(-1)!;
      const layers = (restart.scene as { layers: Msg[] }).layers;
      expect(layers.map((l) => [l.type, l.freq ?? l.color])).toEqual([
        ['tone', 523.251],
        ['noise', 'pink'],
      ]);
      const session = t.sockets;
      expect(session).toBeGreaterThan(1);
      await t.until(() => t.framesOf(session) > 48000, 'a second of audio from the new server');
      await page.waitForFunction((n) => window.__omnisonic.audioFrames > n + 90, framesAtDeath);
      expect((await debugOf(page)).gaps).toBe(0);
      await page.close();
    },
    BROWSER_TEST_MS,
  );

  it(
    'works over plain http on a non-loopback host name: styled, no https upgrade, and it plays',
    async () => {
      // with a Host check in the server, the name must be allowed; without one, any name is served
      const extra = serveHasFlag('--allowed-hosts') ? ['--allowed-hosts', 'omnisonic.test'] : [];
      const s = await start(0, extra);
      const browser = await launch(['--host-resolver-rules=MAP omnisonic.test 127.0.0.1']);
      browsers.push(browser);
      const page = await browser.newPage();
      page.setDefaultTimeout(60_000);
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      const failed: string[] = [];
      page.on('requestfailed', (r) => failed.push(r.url()));
      const t = new Traffic(page);
      const res = await page.goto(`http://omnisonic.test:${s.port}/`);
      expect(res?.status()).toBe(200);

      // the style sheet applied: dark panels with rounded corners, not the browser's defaults
      const style = await page.evaluate(() => {
        const panel = getComputedStyle(document.querySelector('.panel')!);
        return {
          page: getComputedStyle(document.documentElement).backgroundColor,
          radius: panel.borderRadius,
          grid: getComputedStyle(document.querySelector('main')!).display,
        };
      });
      expect(style).toEqual({ page: 'rgb(13, 16, 22)', radius: '12px', grid: 'grid' });
      expect(res?.headers()['content-security-policy']).not.toContain('upgrade-insecure-requests');
      expect(await page.evaluate(() => window.isSecureContext)).toBe(false);

      await page.click('#start');
      await page.waitForFunction(() => window.__omnisonic.state === 'live');
      await page.fill('#L-tone1-freq', '330');
      await page.press('#L-tone1-freq', 'Enter');
      await t.until(() => t.sentOf('set').some((m) => (m.params as Msg).freq === 330), 'set 330');
      await page.waitForFunction(() => window.__omnisonic.playedMs > 500);
      const d = await debugOf(page);
      // no AudioWorklet outside a secure context: the main-thread player plays instead
      expect(d.player).toBe('script-processor');
      expect(d.audioFrames).toBeGreaterThan(50);
      expect(t.sent[0]).toMatchObject({ type: 'start' });
      expect(failed).toEqual([]);
      expect(errors).toEqual([]);
      await page.close();
    },
    BROWSER_TEST_MS,
  );
});
