import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/server/app.js';
import { peakFrequency, spectrumDb } from '../helpers/signal.js';
import { BROWSER_TEST_MS, haveChromium, launch, type Msg, Traffic } from './browser.js';

const RATE = 48000;
const N = 16384;

/** The page's state (`window.__omnisonic`). */
const state = (page: Page) => page.evaluate(() => window.__omnisonic);

/** Type `text` into a control's text box and press Enter. */
async function type(page: Page, id: string, text: string): Promise<void> {
  await page.fill(`#${id}`, text);
  await page.press(`#${id}`, 'Enter');
}

/** dB of the spectrum of `x` near `hz` (the largest bin within ±3 bins). */
function levelAt(db: Float64Array, hz: number): number {
  const k = Math.round((hz * N) / RATE);
  let best = -Infinity;
  for (let i = k - 3; i <= k + 3; i++) best = Math.max(best, db[i] ?? -Infinity);
  return best;
}

describe.skipIf(!haveChromium)('control page in headless Chromium', () => {
  let app: FastifyInstance;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    app = await buildApp({ rateLimit: 0 });
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    browser = await launch();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  /** End a test: no error message from the server, no error in the page; close it. */
  async function finish(page: Page, t: Traffic, errors: string[]): Promise<void> {
    expect(t.received.filter((m) => m.type === 'error')).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  }

  /** A new page, started and live, with its traffic recorded. */
  async function live(): Promise<{ page: Page; t: Traffic; errors: string[] }> {
    const page = await browser.newPage();
    page.setDefaultTimeout(60_000);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    const t = new Traffic(page);
    expect((await page.goto(base))?.status()).toBe(200);
    await page.click('#start');
    await page.waitForFunction(() => window.__omnisonic.state === 'live');
    return { page, t, errors };
  }

  it(
    'sends exactly what is typed: 440 is 440, in the start message, a set, and the sound',
    async () => {
      const { page, t, errors } = await live();
      const start = t.sentOf('start')[0]!;
      const scene = start.scene as { layers: Msg[] };
      expect(scene.layers).toEqual([{ id: 'tone1', type: 'tone', gain: '-12dB', freq: 440, wave: 'sine' }]);
      expect(await page.inputValue('#L-tone1-freq')).toBe('440');

      await type(page, 'L-tone1-freq', '300');
      await t.until(() => t.sentOf('set').some((m) => (m.params as Msg).freq === 300), 'set 300');
      await type(page, 'L-tone1-freq', '440');
      await t.until(() => t.sentOf('set').some((m) => (m.params as Msg).freq === 440), 'set 440');
      const set440 = t.sentOf('set').find((m) => (m.params as Msg).freq === 440)!;
      expect(set440).toMatchObject({ type: 'set', layer: 'tone1', params: { freq: 440 } });
      expect(await page.textContent('[data-layer="tone1"] [data-param="freq"] output')).toBe('440 Hz · A4');

      // the stream after the acknowledged frame: its peak is 440.00 Hz
      await t.until(() => t.received.filter((m) => m.type === 'ack').length >= 2, 'two acks');
      const ack = t.received.filter((m) => m.type === 'ack')[1]!;
      const from = (ack.frame as number) + RATE / 10;
      await t.until(() => t.channel(1, from, N) !== null, 'audio after the set');
      const peak = peakFrequency(spectrumDb(t.channel(1, from, N)!, N), RATE);
      expect(Math.abs(peak - 440)).toBeLessThan(0.05);

      // note names and keyboard nudges: a cent per arrow, a semitone with Shift
      await type(page, 'L-tone1-freq', 'A4+15c');
      const a415 = 440 * 2 ** (15 / 1200);
      await t.until(
        () => t.sentOf('set').some((m) => Math.abs(((m.params as Msg).freq as number) - a415) < 1e-9),
        'A4+15c',
      );
      await type(page, 'L-tone1-freq', '440');
      await page.press('#L-tone1-freq', 'ArrowUp');
      await t.until(() => t.sentOf('set').some((m) => (m.params as Msg).freq === 440.254), 'one cent up');
      await page.press('#L-tone1-freq', 'Shift+ArrowDown');
      const down = Math.round(440.254 * 2 ** (-100 / 1200) * 1000) / 1000;
      await t.until(() => t.sentOf('set').some((m) => (m.params as Msg).freq === down), 'a semitone down');

      // gain in dB travels as dB text; a bad entry is refused on the page with a reason
      await type(page, 'L-tone1-gain', '-20.5');
      await t.until(() => t.sentOf('set').some((m) => (m.params as Msg).gain === '-20.5dB'), 'gain -20.5dB');
      await type(page, 'L-tone1-freq', 'H9');
      expect(await page.getAttribute('#L-tone1-freq', 'aria-invalid')).toBe('true');
      expect(await page.textContent('[data-layer="tone1"] .err')).toMatch(/neither Hz nor a note/);
      await finish(page, t, errors);
    },
    BROWSER_TEST_MS,
  );

  it(
    'switches presets live with a glide, and every control shows the new values',
    async () => {
      const { page, t, errors } = await live();
      await page.selectOption('#preset', 'alpha-relax');
      await page.waitForSelector('[data-layer="bed"]');
      expect(await page.inputValue('#L-beat-freq')).toBe('200');
      expect(await page.inputValue('#L-beat-beat')).toBe('10');
      expect(await page.inputValue('#L-beat-gain')).toBe('-12');
      expect(await page.inputValue('#L-bed-gain')).toBe('-26');
      expect(await page.inputValue('#L-bed-color')).toBe('pink');
      await page.waitForFunction(() => !document.querySelector('[data-layer="tone1"]'));
      await t.until(() => t.sentOf('remove').length === 1, 'the old tone removed after its fade');
      expect(t.sentOf('remove')[0]).toMatchObject({ layer: 'tone1' });
      expect(t.sentOf('add').map((m) => (m.layer as Msg).id)).toEqual(['beat', 'bed']);

      // a second switch keeps the layers and glides them: carrier 200 -> 160 Hz
      await page.selectOption('#preset', 'theta-meditation');
      await t.until(
        () => t.sentOf('set').some((m) => m.layer === 'beat' && (m.params as Msg).freq === 160),
        'glide',
      );
      const glide = t.sentOf('set').find((m) => m.layer === 'beat' && (m.params as Msg).freq === 160)!;
      expect(glide.glide).toBeGreaterThan(0);
      expect(await page.inputValue('#L-beat-freq')).toBe('160');
      expect(await page.inputValue('#L-beat-beat')).toBe('10');
      expect(await page.inputValue('#L-bed-gain')).toBe('-28');
      expect(await page.inputValue('#L-beat-freq-slider')).toBe(
        String(Math.round(1200 * Math.log2(160 / 20))),
      );
      expect(t.sentOf('start')).toHaveLength(1); // no Stop/Start
      expect(t.sentOf('remove')).toHaveLength(1);

      // the sound follows: left ear 155 Hz, right ear 165 Hz once the glide is over
      const ack = t.received.filter((m) => m.type === 'ack').at(-1)!;
      const from = (ack.frame as number) + RATE;
      await t.until(() => t.channel(1, from, N, 1) !== null, 'audio after the glide');
      const left = peakFrequency(spectrumDb(t.channel(1, from, N, 0)!, N), RATE);
      const right = peakFrequency(spectrumDb(t.channel(1, from, N, 1)!, N), RATE);
      expect(Math.abs(left - 155)).toBeLessThan(0.1);
      expect(Math.abs(right - 165)).toBeLessThan(0.1);
      await finish(page, t, errors);
    },
    BROWSER_TEST_MS,
  );

  it(
    'adds a suggested note as a new layer that sounds at its frequency; likes teach the profile',
    async () => {
      const { page, t, errors } = await live();
      await page.click('#suggest-go');
      await page.waitForSelector('#suggest-list .sugg .add');
      const rows = await page.$$eval('#suggest-list .sugg', (els) =>
        els.map((e) => [e.querySelector('.note')!.textContent, e.querySelector('.interval')!.textContent]),
      );
      expect(rows.length).toBeGreaterThan(0);
      expect(rows[0]![1]).toMatch(/\(\d+\/\d+\)/);
      const feedback = page.waitForResponse((r) => r.url().endsWith('/ai/feedback/'));
      await page.click('#suggest-list .sugg .like');
      expect((await feedback).status()).toBe(200);
      await page.waitForFunction(() => /liked/.test(document.querySelector('#suggest-status')!.textContent!));

      await page.click('#suggest-list .sugg .add');
      await t.until(() => t.received.some((m) => m.type === 'added'), 'added');
      const add = t.sentOf('add')[0]!;
      const hz = (add.layer as Msg).freq as number;
      expect(hz).toBeGreaterThan(20);
      const added = t.received.find((m) => m.type === 'added')!;
      expect(await page.locator('#layers .layer').count()).toBe(2);

      const before = (added.frame as number) - N - RATE / 10;
      const after = (added.frame as number) + RATE / 10;
      await t.until(() => t.channel(1, after, N) !== null, 'audio after the add');
      const dbBefore = spectrumDb(t.channel(1, Math.max(0, before), N)!, N);
      const dbAfter = spectrumDb(t.channel(1, after, N)!, N);
      // the new layer at -18 dB beside the 440 Hz tone at -12 dB: about 6 dB below the largest bin
      expect(levelAt(dbAfter, hz)).toBeGreaterThan(-12);
      expect(levelAt(dbBefore, hz)).toBeLessThan(-100);
      await finish(page, t, errors);
    },
    BROWSER_TEST_MS,
  );

  it(
    'asks for the API key when the server needs one (REST 401 and a refused upgrade), then plays',
    async () => {
      const keyed = await buildApp({ rateLimit: 0, apiKey: 'k3y-page-7' });
      await keyed.listen({ host: '127.0.0.1', port: 0 });
      try {
        const page = await browser.newPage();
        page.setDefaultTimeout(60_000);
        const t = new Traffic(page);
        const urls: string[] = [];
        page.on('websocket', (ws) => urls.push(ws.url()));
        await page.goto(`http://127.0.0.1:${(keyed.server.address() as { port: number }).port}/`);
        // the preset list answered 401: the key field is shown and focused
        await page.waitForFunction(() =>
          /needs an API key|API key/.test(document.querySelector('#message')!.textContent!),
        );
        expect(
          await page.evaluate(() => (document.querySelector('#connection') as HTMLDetailsElement).open),
        ).toBe(true);
        expect(await page.evaluate(() => document.activeElement?.id)).toBe('apikey');
        // Start without the key: the upgrade is refused, the page says why and stops retrying
        await page.click('#start');
        await page.waitForFunction(() => window.__omnisonic.state === 'needs-key');
        expect(await page.textContent('#start')).toBe('Start');
        await page.fill('#apikey', 'k3y-page-7');
        await page.press('#apikey', 'Tab');
        await page.waitForFunction(() => document.querySelectorAll('#preset option').length > 1);
        await page.click('#start');
        await page.waitForFunction(() => window.__omnisonic.state === 'live');
        expect(urls.at(-1)).toMatch(/\?key=k3y-page-7$/);
        await t.until(() => t.audio.length > 20, 'audio with the key');
        await page.close();
      } finally {
        await keyed.close();
      }
    },
    BROWSER_TEST_MS,
  );

  it(
    'master volume and mute ramp the output; connection state and latency are shown',
    async () => {
      const { page, t, errors } = await live();
      await page.click('#mute');
      expect(await page.getAttribute('#mute', 'aria-pressed')).toBe('true');
      await page.waitForFunction(() => (window.__omnisonic.masterGain ?? 1) < 1e-3);
      expect((await state(page)).muted).toBe(true);
      await page.click('#mute');
      await page.waitForFunction(() => (window.__omnisonic.masterGain ?? 0) > 0.6);
      await page.fill('#volume', '50');
      expect(await page.textContent('#volume-out')).toBe('-12.0 dB');
      expect(await page.textContent('#conn')).toMatch(/^live/);
      await page.waitForFunction(() =>
        /latency ≈ \d+ ms/.test(document.querySelector('#latency')!.textContent!),
      );
      // every button has a name, every field a label
      const nameless = await page.$$eval('button', (els) =>
        els.filter((e) => !(e.getAttribute('aria-label') || e.textContent!.trim())).map((e) => e.outerHTML),
      );
      expect(nameless).toEqual([]);
      const unlabelled = await page.$$eval('input, select', (els) =>
        els
          .filter((e) => !(e as HTMLInputElement).labels?.length && !e.getAttribute('aria-label'))
          .map((e) => e.id),
      );
      expect(unlabelled).toEqual([]);
      await finish(page, t, errors);
    },
    BROWSER_TEST_MS,
  );
});
