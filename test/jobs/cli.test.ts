import { describe, expect, it } from 'vitest';
import { run } from '../helpers/cli.js';

describe('job flags of the CLI', () => {
  it('omnisonic worker without --redis: exit 2 and a one-line error', () => {
    const r = run(['worker'], { env: { REDIS_URL: '' } });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^omnisonic: error: worker: --redis <url> is required/m);
  });

  it('omnisonic worker with a URL that is not redis://: exit 2', () => {
    const r = run(['worker', '--redis', 'http://localhost:6379']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--redis: must be a redis:\/\/ or rediss:\/\/ URL/);
  });

  it('serve --no-local-jobs without --redis: exit 2, nothing would run the jobs', () => {
    const r = run(['serve', '--no-local-jobs', '--port', '0'], { env: { REDIS_URL: '' } });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--no-local-jobs needs --redis/);
  });

  it('bad --concurrency and --job-ttl values are refused', () => {
    expect(run(['worker', '--redis', 'redis://127.0.0.1:1', '--concurrency', '0']).status).toBe(2);
    expect(run(['serve', '--job-ttl', 'soon', '--port', '0']).status).toBe(2);
  });
});
