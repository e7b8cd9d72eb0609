import { OmniError } from '../../errors.js';
import { defaultExport } from '../default-export.js';
import { type DeviceRequest, probeDevice } from './device.js';

/** A sound card output taking interleaved s16 PCM. */
export interface PcmOut {
  /** Resolves when the backend accepted the bytes (the chunk may then be reused). */
  write(chunk: Uint8Array): Promise<void>;
  /** Let what was written play out, then close the device. */
  close(): Promise<void>;
  /** Name of the backend, for --verbose. */
  readonly description: string;
}

/**
 * The optional package. Named through a constant so that the build does not need its types: npm
 * leaves it out when its native build fails (no ALSA headers), and the CLI must still build.
 */
const SPEAKER = 'speaker';

interface SpeakerStream {
  write(chunk: Buffer, cb: (err?: Error | null) => void): boolean;
  end(cb?: () => void): void;
  on(event: string, fn: (...args: unknown[]) => void): void;
  once(event: string, fn: (...args: unknown[]) => void): void;
}

/**
 * Open the sound card through `speaker` (16-bit interleaved PCM). The device is first checked in
 * a child process ({@link probeDevice}); `speaker` is imported only after that. Throws
 * NO_AUDIO_DEVICE when there is no device or `speaker` is missing.
 *
 * @example
 * const out = await openSpeaker({ device: 'default', sampleRate: 48000, channels: 2 });
 * await out.write(pcm); await out.close();
 */
export async function openSpeaker(req: DeviceRequest): Promise<PcmOut> {
  await probeDevice(req);
  let Speaker: (new (opts: Record<string, unknown>) => SpeakerStream) & { description?: string };
  try {
    Speaker = defaultExport<typeof Speaker>(await import(SPEAKER));
  } catch (e) {
    throw new OmniError('NO_AUDIO_DEVICE', 'cannot load the optional package speaker', {
      hint: 'npm install speaker',
      cause: e,
    });
  }
  const speaker = new Speaker({
    channels: req.channels,
    sampleRate: req.sampleRate,
    bitDepth: 16,
    signed: true,
    device: req.device,
  });
  let failure: Error | null = null;
  speaker.on('error', (e) => {
    failure = e as Error;
  });
  const fail = (e: Error) =>
    new OmniError('NO_AUDIO_DEVICE', `audio device '${req.device ?? 'default'}' failed: ${e.message}`, {
      cause: e,
    });
  return {
    description: Speaker.description ?? 'speaker',
    write(chunk) {
      if (failure) return Promise.reject(fail(failure));
      return new Promise((resolve, reject) => {
        speaker.write(Buffer.from(chunk), (err) => (err ? reject(fail(err)) : resolve()));
      });
    },
    close() {
      return new Promise((resolve) => {
        speaker.once('close', () => resolve());
        speaker.end();
      });
    },
  };
}
