/**
 * `POST /ai/suggest-frequencies/` and `POST /ai/feedback/`: the harmony engine's suggestions,
 * ranked with the adaptive profile of the client (its API key, else its IP), which feedback
 * updates. Profiles live in the profile store of `app.profiles` (Redis, the cluster's primary, or
 * memory), which applies each feedback atomically, so every worker sees the same one.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { invalid } from '../../errors.js';
import { HarmonyError } from '../../harmony/errors.js';
import { applyFeedback, decodeSuggestionId, emptyProfile, type Profile } from '../../harmony/profile.js';
import { MAX_HZ, MIN_HZ, type SuggestRequest, suggest } from '../../harmony/recommend.js';
import { clientIdOf } from '../auth.js';
import {
  type Check,
  checks,
  errorResponses,
  FeedbackBody,
  FeedbackResponse,
  SuggestBody,
  SuggestResponse,
} from '../schemas.js';

function loadProfile(app: FastifyInstance, req: FastifyRequest): Promise<Profile | undefined> {
  return app.profiles.get(clientIdOf(req)).catch((e: Error) => {
    req.log.warn({ err: e.message }, 'profile not read: its store is unavailable');
    return undefined;
  });
}

/** Features of a rated chord: those of its last note as a suggestion for the others. */
function chordFeatures(frequencies: (number | string)[]): string[] {
  if (frequencies.length < 2) {
    throw invalid(
      'BAD_VALUE',
      'frequencies: rate a chord of at least two notes, or give a suggestion id',
      'frequencies',
    );
  }
  const rest = frequencies.slice(0, -1);
  const probe = suggest({ frequencies: [frequencies.at(-1)!], count: 1 }).input.frequencies[0]!;
  const near = suggest({
    frequencies: rest,
    count: 50,
    range: [Math.max(MIN_HZ, probe / 1.03), Math.min(MAX_HZ, probe * 1.03)],
    tuning: '12tet',
  }).suggestions;
  const best = near.sort(
    (a, b) => Math.abs(Math.log(a.frequency / probe)) - Math.abs(Math.log(b.frequency / probe)),
  )[0];
  if (!best)
    throw invalid(
      'BAD_VALUE',
      'frequencies: this chord cannot be rated; give a suggestion id',
      'frequencies',
    );
  return [...best.features];
}

/** Notes of a chord: the harmony engine's limits. */
const notesCheck = (field: string): Check => ({
  field,
  codes: ['BAD_FREQUENCY', 'BAD_NOTE', 'BAD_VALUE'],
  rule: 'frequencies written as text from 1 Hz to 100 kHz; note names from C-1 to G9',
});

/** Runs `fn`; a harmony error that names no field gets `field`. */
function withField<R>(fn: () => R, field: string): R {
  try {
    return fn();
  } catch (e) {
    if (e instanceof HarmonyError && e.field === undefined) throw new HarmonyError(e.code, e.message, field);
    throw e;
  }
}

/** Registers the harmony endpoints. */
export async function aiRoutes(app: FastifyInstance): Promise<void> {
  app.post<{ Body: SuggestBody }>(
    '/ai/suggest-frequencies/',
    {
      schema: {
        summary: 'Suggest notes to add to a chord',
        description:
          'Harmonic suggestions as `omnisonic suggest --json`, ranked with the adaptive profile of this client (API key, else IP).',
        tags: ['harmony'],
        body: SuggestBody,
        response: { 200: SuggestResponse, ...errorResponses(400, 401, 403, 413, 415, 429) },
        ...checks(notesCheck('frequencies'), {
          field: 'range',
          codes: ['BAD_VALUE'],
          rule: 'lo < hi',
        }),
      },
    },
    async (req) => {
      const b = req.body;
      const profile = await loadProfile(app, req);
      const request: SuggestRequest = {
        frequencies: b.frequencies,
        ...(b.count !== undefined ? { count: b.count } : {}),
        ...(b.range !== undefined ? { range: b.range } : {}),
        ...(b.tuning !== undefined ? { tuning: b.tuning } : {}),
        ...(b.goal !== undefined ? { goal: b.goal } : {}),
        ...(profile ? { profile } : {}),
      };
      return withField(() => suggest(request), 'frequencies');
    },
  );

  app.post<{ Body: FeedbackBody }>(
    '/ai/feedback/',
    {
      schema: {
        summary: 'Rate a suggestion or a chord',
        description:
          'Updates the adaptive profile of this client: `rating` +1 like, -1 dislike (any value between).',
        tags: ['harmony'],
        body: FeedbackBody,
        response: { 200: FeedbackResponse, ...errorResponses(400, 401, 403, 413, 415, 429) },
        ...checks(
          notesCheck('frequencies'),
          { field: 'id', codes: ['BAD_VALUE'], rule: 'an id this server gave in a suggestion' },
          {
            field: 'frequencies',
            codes: ['BAD_VALUE'],
            rule: 'a chord whose last note is near a note the others can suggest',
          },
        ),
      },
    },
    async (req) => {
      const b = req.body;
      if ((b.id === undefined) === (b.frequencies === undefined)) {
        throw invalid(
          'BAD_VALUE',
          'give either id (a suggestion) or frequencies (a chord)',
          b.id === undefined ? 'id' : 'frequencies',
        );
      }
      const features =
        b.id !== undefined
          ? decodeSuggestionId(b.id).features
          : withField(() => chordFeatures(b.frequencies!), 'frequencies');
      // one atomic update wherever the profile lives (docs/jobs.md, shared state)
      const profile = await app.profiles.feedback(clientIdOf(req), features, b.rating).catch((e: Error) => {
        if (e instanceof HarmonyError) throw e;
        req.log.warn({ err: e.message }, 'profile not stored: its store is unavailable');
        return applyFeedback(emptyProfile(), { features }, b.rating);
      });
      return {
        profile: { likes: profile.likes, dislikes: profile.dislikes, weights: { ...profile.weights } },
      };
    },
  );
}
