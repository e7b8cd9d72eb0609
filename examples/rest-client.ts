/**
 * A small Node client of the OmniSonic REST API: render a tone, ask for harmonic suggestions,
 * like the best one, and render the chord it makes.
 *
 *   omnisonic serve &                      # http://127.0.0.1:8000
 *   npx tsc -p tsconfig.json && node dist/examples/rest-client.js   (or run with any TS runner)
 *
 * Environment: OMNISONIC_URL (default http://127.0.0.1:8000), OMNISONIC_API_KEY when the server has one.
 */
import { writeFile } from 'node:fs/promises';

const BASE = process.env.OMNISONIC_URL ?? 'http://127.0.0.1:8000';
const KEY = process.env.OMNISONIC_API_KEY;

/** An error answered by the server: `{ error: { code, message, field? } }`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(`${status} ${code}: ${message}`);
  }
}

async function call(path: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = {};
  if (KEY) headers['x-api-key'] = KEY;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${BASE}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) {
    const { error } = (await res.json()) as { error: { code: string; message: string; field?: string } };
    throw new ApiError(res.status, error.code, error.message, error.field);
  }
  return res;
}

/** Render audio to a file; returns whether it came from the server's cache. */
export async function renderTo(path: string, endpoint: string, request: object): Promise<'hit' | 'miss'> {
  const res = await call(endpoint, request);
  await writeFile(path, Buffer.from(await res.arrayBuffer()));
  return res.headers.get('x-cache') === 'hit' ? 'hit' : 'miss';
}

interface Suggestion {
  id: string;
  frequency: number;
  note: string;
  interval: string;
  score: number;
  reasons: string[];
}

async function main(): Promise<void> {
  const health = (await (await call('/health')).json()) as { version: string };
  console.log(`server ${BASE}, version ${health.version}`);

  const cache = await renderTo('a4.wav', '/generate-frequency/', {
    frequency: 'A4',
    duration: 2,
    waveform: 'triangle',
  });
  console.log(`a4.wav written (cache ${cache})`);

  const res = await call('/ai/suggest-frequencies/', { frequencies: ['C4', 'E4'], count: 3 });
  const { input, suggestions } = (await res.json()) as {
    input: { consonance: number };
    suggestions: Suggestion[];
  };
  console.log(`C4+E4 consonance ${input.consonance}`);
  for (const s of suggestions)
    console.log(`  ${s.note.padEnd(8)} ${s.interval.padEnd(16)} score ${s.score}  ${s.reasons[0] ?? ''}`);

  const best = suggestions[0]!;
  await call('/ai/feedback/', { id: best.id, rating: 1 });
  await renderTo('chord.flac', '/mix-frequencies/', {
    layers: [{ frequency: 'C4' }, { frequency: 'E4' }, { frequency: best.frequency }],
    duration: 3,
    format: 'flac',
  });
  console.log(`chord.flac written with ${best.note}`);

  try {
    await call('/generate-frequency/', { frequency: 30000 });
  } catch (e) {
    if (e instanceof ApiError) console.log(`as expected: ${e.message} (field ${e.field})`);
    else throw e;
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
