// Screenshots of the control page for docs/screenshots/ (desktop and phone size), taken with
// headless Chromium against `omnisonic serve` (the built binary) while it plays.
// Run: npm run build && node test/e2e/screenshots.mjs
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = fileURLToPath(new URL('../../', import.meta.url));
const out = `${root}docs/screenshots`;
mkdirSync(out, { recursive: true });

const server = spawn(
  process.execPath,
  ['bin/omnisonic.cjs', 'serve', '--host', '127.0.0.1', '--port', '0', '--log-level', 'silent'],
  { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] },
);
const base = await new Promise((resolve, reject) => {
  let err = '';
  server.stderr.on('data', (d) => {
    err += String(d);
    const m = /serving on (http:\/\/[\d.]+:\d+)/.exec(err);
    if (m) resolve(m[1]);
  });
  server.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${err}`)));
});

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--autoplay-policy=no-user-gesture-required'],
});
try {
  for (const [name, viewport] of [
    ['desktop', { width: 1280, height: 860 }],
    ['phone', { width: 390, height: 844 }],
  ]) {
    const page = await browser.newPage({ viewport });
    await page.goto(`${base}/`);
    await page.click('#start');
    await page.waitForFunction(() => window.__omnisonic.state === 'live');
    await page.click('[data-add="binaural"]');
    await page.click('#suggest-go');
    await page.waitForSelector('#suggest-list .sugg .add');
    await page.click('#suggest-list .sugg .add');
    await page.waitForTimeout(2500);
    await page.evaluate(() => {
      document.activeElement?.blur();
      window.scrollTo(0, 0);
    });
    await page.screenshot({ path: `${out}/${name}.png`, fullPage: name === 'desktop' });
    console.log(`${out}/${name}.png`);
    await page.close();
  }
} finally {
  await browser.close();
  server.kill('SIGTERM');
}
