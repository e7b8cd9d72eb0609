import { spawn } from 'node:child_process';
import { OmniError } from '../../errors.js';
import { packagePath } from '../../package-root.js';

/** What a playback device is opened with. */
export interface DeviceRequest {
  /** ALSA device name (`default` when undefined), e.g. `hw:1,0`, `plughw:0`. */
  device?: string;
  sampleRate: number;
  channels: number;
}

const PROBE_TIMEOUT_MS = 8000;

/**
 * Check, in a child process, that `speaker` loads and opens the device. Importing `speaker`
 * aborts the process when ALSA has no default device, so the main process imports it only
 * after this resolves. Throws NO_AUDIO_DEVICE with the reason otherwise.
 *
 * @example
 * await probeDevice({ device: 'default', sampleRate: 48000, channels: 2 });
 */
export async function probeDevice(req: DeviceRequest): Promise<void> {
  // the compiled child, wherever this code runs from (sources, dist/ or the CLI bundle)
  const child = packagePath('dist', 'io', 'playback', 'probe-child.js');
  const args = [child, req.device ?? '', String(req.sampleRate), String(req.channels)];
  const name = req.device ?? 'default';
  const { code, signal, out, err } = await new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    out: string;
    err: string;
  }>((resolve) => {
    const p = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    p.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    const timer = setTimeout(() => p.kill('SIGKILL'), PROBE_TIMEOUT_MS);
    p.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: null, signal: null, out: '', err: e.message });
    });
    p.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, out, err });
    });
  });
  if (code === 0) return;
  if (code === 3) {
    throw new OmniError(
      'NO_AUDIO_DEVICE',
      'playback needs the optional package speaker, which is not installed',
      {
        hint: 'npm install speaker (needs libasound2-dev on Linux), or render to a file: -o out.wav',
      },
    );
  }
  const alsa = lastAlsaLine(err) || out.trim();
  const why =
    code === 4
      ? `cannot open audio device '${name}'${alsa ? ` (${alsa})` : ''}`
      : `no usable audio device: ALSA cannot open '${name}'${alsa ? ` (${alsa})` : signal ? ` (${signal})` : ''}`;
  throw new OmniError('NO_AUDIO_DEVICE', why, {
    hint: `check the sound card (aplay -l, aplay -L) and --device; or render to a file: -o out.wav`,
  });
}

/** The most telling line of ALSA's complaints ("Unknown PCM default"). */
function lastAlsaLine(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const alsa = lines.filter((l) => l.startsWith('ALSA lib')).pop();
  if (alsa) return alsa.replace(/^ALSA lib [^)]*\)\s*/, '');
  return (lines.find((l) => /error/i.test(l)) ?? '').replace(/^\[[^\]]*\]\s*/, '');
}
