/**
 * Whether FFmpeg takes an output plan's codec settings (sample rate, channels, bitrate) before
 * a render is spent on them: the limits of Vorbis and AAC depend on all three together, so a
 * 50 ms trial encode of silence decides, once per combination. A refused combination is a
 * client error (400 BAD_VALUE naming the field), not an encoder failure (500).
 */
import { spawn } from 'node:child_process';
import { invalid } from '../errors.js';
import { encodeSettings } from '../io/encoder.js';
import { locateFfmpeg } from '../io/ffmpeg.js';
import type { OutputPlan } from '../io/output.js';

const verdicts = new Map<string, Promise<string | undefined>>();

/** The last line FFmpeg wrote when it refused, undefined when the settings encode. */
function trial(plan: OutputPlan): Promise<string | undefined> {
  const { codec, options, muxer } = encodeSettings({ ...plan, target: '-', metadata: {} });
  const { path } = locateFfmpeg();
  const args = ['-v', 'error', '-f', 'lavfi', '-i', `anullsrc=r=${plan.sampleRate}:cl=mono`, '-t', '0.05'];
  args.push('-ac', String(plan.channels), '-c:a', codec, ...options, '-f', muxer, '-y', '-');
  return new Promise((resolve) => {
    const p = spawn(path, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (c: Buffer) => {
      err = (err + c.toString()).slice(-2000);
    });
    // a trial that hangs decides nothing: the render reports what goes wrong
    const timer = setTimeout(() => p.kill('SIGKILL'), 10_000);
    timer.unref();
    p.on('error', () => resolve(undefined)); // a missing FFmpeg is reported by the render itself
    p.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve(code === 0 || signal ? undefined : err.trim().split('\n').at(-1) || 'refused');
    });
  });
}

/**
 * Throws 400 BAD_VALUE when the encoder of `plan` (mp3, ogg, opus, m4a) refuses its sample
 * rate, channels and bitrate together; PCM and FLAC plans pass without a trial.
 * @example await assertEncodable({ ...plan, type: 'ogg', bitrate: '640k', sampleRate: 87340 })
 */
export async function assertEncodable(plan: OutputPlan): Promise<void> {
  if (plan.type === 'wav' || plan.type === 'raw' || plan.type === 'flac') return;
  const key = `${plan.type}:${plan.sampleRate}:${plan.channels}:${plan.bitrate ?? ''}`;
  let verdict = verdicts.get(key);
  if (!verdict) {
    verdict = trial(plan);
    verdicts.set(key, verdict);
  }
  const why = await verdict;
  if (why === undefined) return;
  const field = plan.bitrate !== undefined ? 'bitrate' : 'sampleRate';
  throw invalid(
    'BAD_VALUE',
    `${field}: the ${plan.type} encoder does not take ${plan.bitrate ?? 'its default bitrate'} at ${plan.sampleRate} Hz with ${plan.channels} channel(s)`,
    field,
    'try another bitrate or sample rate',
  );
}
