import { existsSync } from 'node:fs';
import { invalid, OmniError } from '../errors.js';

/** An open MIDI input port; `close` stops the callbacks. */
export interface MidiInputHandle {
  readonly name: string;
  close(): void;
}

interface NativeInput {
  getPortCount(): number;
  getPortName(port: number): string;
  openPort(port: number): void;
  closePort(): void;
  ignoreTypes(sysex: boolean, timing: boolean, activeSensing: boolean): void;
  on(event: 'message', cb: (deltaTime: number, message: number[]) => void): void;
  removeAllListeners(event?: string): void;
}

type InputClass = new () => NativeInput;

/** The ALSA sequencer device that MIDI on Linux goes through. */
const ALSA_SEQ = '/dev/snd/seq';
/** The optional package, loaded only when live MIDI is asked for. */
const PACKAGE = '@julusian/midi';

async function loadInputClass(): Promise<InputClass> {
  let mod: { Input?: InputClass; default?: { Input?: InputClass } };
  try {
    mod = (await import(PACKAGE)) as typeof mod;
  } catch (e) {
    throw new OmniError(
      'MIDI_UNAVAILABLE',
      `live MIDI needs the optional package ${PACKAGE}, which is not installed`,
      {
        hint: `npm install ${PACKAGE} (it needs ALSA on Linux: apt-get install libasound2)`,
        cause: e,
      },
    );
  }
  const Input = mod.Input ?? mod.default?.Input;
  if (!Input) throw new OmniError('MIDI_UNAVAILABLE', `${PACKAGE} loaded but has no Input class`);
  return Input;
}

async function newInput(): Promise<NativeInput> {
  const Input = await loadInputClass();
  if (process.platform === 'linux' && !existsSync(ALSA_SEQ)) {
    // checked first: the native library would print ALSA's own complaint on stderr
    throw new OmniError('MIDI_UNAVAILABLE', `no MIDI system: the ALSA sequencer ${ALSA_SEQ} does not exist`, {
      hint: 'load it with `modprobe snd-seq` (and `modprobe snd-virmidi` for a virtual port); in a container, pass the device through',
    });
  }
  try {
    return new Input();
  } catch (e) {
    const msg = (e as Error).message ?? String(e);
    throw new OmniError('MIDI_UNAVAILABLE', `the MIDI system could not be opened: ${msg.split('\n')[0]}`, {
      hint:
        process.platform === 'linux'
          ? 'the ALSA sequencer (/dev/snd/seq) is missing: load it with `modprobe snd-seq` (and snd-virmidi for a virtual port)'
          : 'check that a MIDI driver is installed',
      cause: e,
    });
  }
}

function portNames(input: NativeInput): string[] {
  const n = input.getPortCount();
  return Array.from({ length: n }, (_, i) => input.getPortName(i));
}

/**
 * Names of the MIDI input ports, in port order (`omnisonic play --list-midi`). Throws
 * MIDI_UNAVAILABLE when the optional package or the MIDI system is missing; an empty list
 * means the system works but nothing is connected.
 * @example console.log(await listMidiPorts()) // ['Midi Through:Midi Through Port-0 14:0', ...]
 */
export async function listMidiPorts(): Promise<string[]> {
  const input = await newInput();
  try {
    return portNames(input);
  } finally {
    input.closePort();
  }
}

/**
 * Open a MIDI input port by index or by (part of its) name and call `onMessage` with the bytes
 * of each channel message (`omnisonic play --midi-in <port>`). Sysex, clock and active sensing
 * are ignored. Throws MIDI_UNAVAILABLE (no package, no MIDI system, no port at all) or
 * BAD_VALUE (no port matches, with the list of ports).
 * @example
 * const port = await openMidiInput('KeyStep', (bytes) => synth.handleMidi(bytes));
 * // ... later
 * port.close();
 */
export async function openMidiInput(
  portNameOrIndex: string | number,
  onMessage: (bytes: number[]) => void,
  onEnd?: () => void,
): Promise<MidiInputHandle> {
  if (portNameOrIndex === '-') return readStdin(onMessage, onEnd);
  const input = await newInput();
  const names = portNames(input);
  if (names.length === 0) {
    input.closePort();
    throw new OmniError('MIDI_UNAVAILABLE', 'no MIDI input port found', {
      hint: 'connect a MIDI device, or create a virtual port (modprobe snd-virmidi)',
    });
  }
  const index = findPort(names, portNameOrIndex);
  input.ignoreTypes(true, true, true);
  input.on('message', (_delta, message) => {
    if (message.length > 0 && message[0]! >= 0x80 && message[0]! < 0xf0) onMessage(message);
  });
  try {
    input.openPort(index);
  } catch (e) {
    input.removeAllListeners('message');
    throw new OmniError(
      'MIDI_UNAVAILABLE',
      `cannot open MIDI port '${names[index]}': ${(e as Error).message}`,
      { cause: e },
    );
  }
  return {
    name: names[index]!,
    close() {
      input.removeAllListeners('message');
      input.closePort();
    },
  };
}

/**
 * Channel messages from raw MIDI bytes (as a MIDI cable or /dev/snd/midiC*D* carries them):
 * running status, real-time bytes anywhere, system exclusive and system common messages skipped.
 * @example const p = new MidiByteParser((m) => console.log(m)); p.push(Uint8Array.of(0x90, 60, 100, 62, 100));
 */
export class MidiByteParser {
  private status = 0;
  private readonly data: number[] = [];
  private inSysex = false;

  constructor(private readonly onMessage: (bytes: number[]) => void) {}

  push(bytes: Uint8Array): void {
    for (const b of bytes) {
      if (b >= 0xf8) continue; // real-time: clock, start, stop, active sensing
      if (b >= 0x80) {
        this.data.length = 0;
        this.inSysex = b === 0xf0;
        // system common messages (and the end of a sysex) cancel running status
        this.status = b < 0xf0 ? b : 0;
        continue;
      }
      if (this.inSysex || this.status === 0) continue;
      this.data.push(b);
      const need = (this.status & 0xe0) === 0xc0 ? 1 : 2;
      if (this.data.length === need) {
        this.onMessage([this.status, ...this.data]);
        this.data.length = 0;
      }
    }
  }
}

/** Raw MIDI bytes from stdin (`--midi-in -`); `onEnd` when stdin ends. */
function readStdin(onMessage: (bytes: number[]) => void, onEnd?: () => void): MidiInputHandle {
  const parser = new MidiByteParser(onMessage);
  const onData = (chunk: Buffer) => parser.push(chunk);
  const onClose = () => onEnd?.();
  process.stdin.on('data', onData);
  process.stdin.once('end', onClose);
  return {
    name: 'stdin',
    close() {
      process.stdin.off('data', onData);
      process.stdin.off('end', onClose);
      process.stdin.pause();
    },
  };
}

/** Index of the port named (case-insensitive, whole or part) or numbered by `wanted`. */
export function findPort(names: string[], wanted: string | number): number {
  const text = String(wanted).trim();
  if (/^\d+$/.test(text)) {
    const i = Number(text);
    if (i < names.length) return i;
  } else {
    const exact = names.findIndex((n) => n.toLowerCase() === text.toLowerCase());
    if (exact >= 0) return exact;
    const part = names.findIndex((n) => n.toLowerCase().includes(text.toLowerCase()));
    if (part >= 0) return part;
  }
  const list = names.map((n, i) => `${i}: ${n}`).join('; ');
  throw invalid(
    'BAD_VALUE',
    `--midi-in: no MIDI input port '${text}' (ports: ${list})`,
    'midiIn',
    'omnisonic play --list-midi lists them',
  );
}
