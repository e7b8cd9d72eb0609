import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../ws/server.js';

const CHROMIUM = '/usr/bin/chromium';
const have = existsSync(CHROMIUM);
if (!have && process.env.CI === 'true')
  throw new Error(`${CHROMIUM} is required under CI (apt-get install chromium)`);

interface PageDebug {
  state: string;
  audioFrames: number;
  samples: number;
  gaps: number;
  underruns: number;
  vizFrames: number;
  peakHz: number | null;
  acks: number;
  errors: unknown[];
  worklet: boolean;
  context: string | null;
}

describe.skipIf(!have)(
  `control page in headless Chromium${have ? '' : ` (skipped: ${CHROMIUM} not installed)`}`,
  () => {
    let server: TestServer;
    let browser: import('playwright-core').BrowserContext;
    let profile: string;

    beforeAll(async () => {
      const { chromium } = await import('playwright-core');
      server = await startServer();
      profile = mkdtempSync(join(tmpdir(), 'omni-chromium-'));
      // a new empty profile for every run
      browser = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--autoplay-policy=no-user-gesture-required',
        ],
      });
    });

    afterAll(async () => {
      await browser?.close();
      await server?.close();
      if (profile) rmSync(profile, { recursive: true, force: true });
    });

    it('plays the stream, and a slider moves the spectrum peak', async () => {
      const page = await browser.newPage();
      const consoleErrors: string[] = [];
      page.on('pageerror', (e) => consoleErrors.push(String(e)));
      const res = await page.goto(server.url);
      expect(res?.status()).toBe(200);
      expect(await page.title()).toContain('OmniSonic');
      const dbg = () => page.evaluate('window.__omnisonic') as Promise<PageDebug>;

      await page.click('#start');
      await page.waitForFunction("window.__omnisonic.state === 'live'");
      await page.waitForFunction(
        '(d => d.audioFrames > 50 && d.vizFrames > 5 && d.peakHz !== null)(window.__omnisonic)',
      );
      const before = await dbg();
      expect(before.worklet).toBe(true);
      expect(before.peakHz!).toBeGreaterThan(440 / 1.15);
      expect(before.peakHz!).toBeLessThan(440 * 1.15);

      // move the frequency slider to about 2 kHz (log scale 20 Hz .. 20 kHz over 0..1000)
      const target = Math.round((1000 * Math.log(2000 / 20)) / Math.log(1000));
      await page.evaluate(
        `(() => { const i = document.querySelector('#freq'); i.value = '${target}'; i.dispatchEvent(new Event('input', { bubbles: true })); })()`,
      );
      await page.waitForFunction(
        '(d => d.acks > 0 && d.peakHz > 1700 && d.peakHz < 2300)(window.__omnisonic)',
      );
      await page.waitForTimeout(500);
      const after = await dbg();
      expect(after.audioFrames).toBeGreaterThan(before.audioFrames);
      expect(after.gaps).toBe(0);
      expect(after.errors).toEqual([]);
      expect(await page.textContent('#freq-out')).toMatch(/kHz|Hz/);

      // quiet the tone and hold C5 on the computer keyboard: the MIDI voice takes over the peak
      await page.evaluate(
        `(() => { const i = document.querySelector('#gain'); i.value = '-60'; i.dispatchEvent(new Event('input', { bubbles: true })); })()`,
      );
      await page.keyboard.down('k');
      await page.waitForFunction('(d => d.peakHz > 470 && d.peakHz < 580)(window.__omnisonic)');
      await page.keyboard.up('k');

      await page.click('#start'); // stop
      await page.waitForFunction("window.__omnisonic.state === 'idle'");
      expect(consoleErrors).toEqual([]);
      await page.close();
    });
  },
);
