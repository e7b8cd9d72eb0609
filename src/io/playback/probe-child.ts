/**
 * Run in a child process by {@link probeDevice}: loads `speaker` and opens the ALSA device.
 * Loading `speaker` aborts the whole process when ALSA has no usable default device, so this is
 * never done in the main process before the child has succeeded.
 *
 * argv: <device|''> <sampleRate> <channels>. Exit 0 = the device opens; 3 = speaker is not
 * installed; 4 = the device cannot be opened. Any other end (an abort) means no usable ALSA.
 */
import { defaultExport } from '../default-export.js';

/** The optional package, named through a constant so that the build does not need its types. */
const SPEAKER = 'speaker';
const [device, rate, channels] = process.argv.slice(2);

async function probe(): Promise<number> {
  let Speaker: new (
    opts: Record<string, unknown>,
  ) => {
    _open(): unknown;
    close(flush: boolean): void;
  };
  try {
    Speaker = defaultExport<typeof Speaker>(await import(SPEAKER));
  } catch (e) {
    process.stdout.write(`speaker: ${(e as Error).message.split('\n')[0]}`);
    return 3;
  }
  try {
    const s = new Speaker({
      channels: Number(channels),
      sampleRate: Number(rate),
      bitDepth: 16,
      signed: true,
      device: device === '' ? undefined : device,
    });
    s._open();
    s.close(false);
    return 0;
  } catch (e) {
    process.stdout.write((e as Error).message.split('\n')[0] ?? 'cannot open');
    return 4;
  }
}

process.exitCode = await probe();
