import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/server/app.js';
import { PUBLIC_DIR } from '../../src/server/ws/page.js';

/** The directives of a Content-Security-Policy header, by name. */
function directives(csp: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of csp.split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) out.set(name, values);
  }
  return out;
}

describe('Content-Security-Policy of the control page', () => {
  it('over plain http: no upgrade-insecure-requests, scripts only from the server', async () => {
    const app = await buildApp({ rateLimit: 0, allowedHosts: ['omnisonic.test'] });
    try {
      for (const url of ['/', '/ui/app.js', '/health', '/docs/']) {
        const res = await app.inject({ method: 'GET', url, headers: { host: 'omnisonic.test:8000' } });
        const csp = directives(String(res.headers['content-security-policy']));
        expect(csp.has('upgrade-insecure-requests'), url).toBe(false);
        expect(csp.get('script-src'), url).toEqual(["'self'"]);
        expect(csp.get('default-src'), url).toEqual(["'self'"]);
        // ignored (with a console error) by browsers on plain http to a LAN name
        expect(res.headers['cross-origin-opener-policy'], url).toBeUndefined();
      }
      const local = await app.inject({ method: 'GET', url: '/', headers: { host: '127.0.0.1:8000' } });
      expect(local.headers['cross-origin-opener-policy']).toBe('same-origin');
      expect(String(local.headers['content-security-policy'])).not.toContain('upgrade-insecure-requests');
    } finally {
      await app.close();
    }
  });

  it('over https (as a trusted proxy reports it): upgrade-insecure-requests once', async () => {
    const app = await buildApp({ rateLimit: 0, trustProxy: true, allowedHosts: ['omnisonic.test'] });
    try {
      const res = await app.inject({ method: 'GET', url: '/', headers: { 'x-forwarded-proto': 'https' } });
      const header = String(res.headers['content-security-policy']);
      expect(header.match(/upgrade-insecure-requests/g)).toHaveLength(1);
      expect(directives(header).get('script-src')).toEqual(["'self'"]);
      const plain = await app.inject({ method: 'GET', url: '/', headers: { 'x-forwarded-proto': 'http' } });
      expect(String(plain.headers['content-security-policy'])).not.toContain('upgrade-insecure-requests');
    } finally {
      await app.close();
    }
  });

  it('the page has no inline script or inline event handler', () => {
    const files = ['index.html', ...readdirSync(join(PUBLIC_DIR, 'ui')).map((f) => join('ui', f))];
    for (const f of files.filter((x) => /\.(html|js)$/.test(x))) {
      const text = readFileSync(join(PUBLIC_DIR, f), 'utf8');
      if (f.endsWith('.html')) {
        for (const tag of text.match(/<script\b[^>]*>[\s\S]*?<\/script>/gi) ?? []) {
          expect(tag, f).toMatch(/\bsrc="/);
          expect(tag.replace(/<script\b[^>]*>|<\/script>/gi, '').trim(), f).toBe('');
        }
        expect(text, f).not.toMatch(/\son[a-z]+="/i);
        expect(text, f).not.toMatch(/javascript:/i);
      } else {
        // no code built from strings at run time (blocked without 'unsafe-eval')
        expect(text, f).not.toMatch(/\beval\(|new Function\(/);
      }
    }
  });
});
