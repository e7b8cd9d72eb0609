import { describe, expect, it } from 'vitest';
import { PolySynth } from '../../src/midi/synth.js';
import {
  checkVoiceMap,
  FAMILY_VOICES,
  familyOf,
  MIN_ATTACK_SEC,
  MIN_RELEASE_SEC,
  voiceFor,
} from '../../src/midi/voices.js';
import { Engine } from '../../src/render/engine.js';
import { SR } from './helpers.js';

describe('program families and voice maps', () => {
  it('maps GM programs to families', () => {
    expect([0, 9, 19, 25, 33, 41, 49, 57, 65, 81, 89, 98, 105, 113, 121].map(familyOf)).toEqual([
      'piano',
      'bell',
      'organ',
      'piano',
      'bass',
      'strings',
      'strings',
      'brass',
      'lead',
      'lead',
      'pad',
      'pad',
      'piano',
      'bell',
      'lead',
    ]);
  });

  it('applies family, then program, then channel overrides; keeps the minimum attack and release', () => {
    const map = checkVoiceMap({
      families: { organ: { release: 0.5 } },
      programs: { '16': { wave: 'square' } },
      channels: { '3': { family: 'organ', attack: 0, release: 0 } },
    });
    const organ = voiceFor(map, 0, 16);
    expect(organ.wave).toBe('square');
    expect(organ.releaseSec).toBe(0.5);
    const ch3 = voiceFor(map, 2, 40);
    expect(ch3.ratio2).toBe(FAMILY_VOICES.organ.ratio2);
    expect(ch3.attackSec).toBe(MIN_ATTACK_SEC);
    expect(ch3.releaseSec).toBe(MIN_RELEASE_SEC);
    expect(voiceFor(map, 0, 0)).toMatchObject({ wave: FAMILY_VOICES.piano.wave });
  });

  it('refuses bad voice maps with the JSON path', () => {
    const bad: [unknown, RegExp][] = [
      [[], /must be a JSON object/],
      [{ voices: {} }, /voices: unknown field/],
      [{ channels: { '17': {} } }, /channels.17: key must be a channel number 1-16/],
      [{ programs: { '0': { attack: -1 } } }, /programs.0.attack: must be a number from 0 to 30, got -1/],
      [{ families: { piano: { wave: 'kazoo' } } }, /families.piano.wave: unknown waveform 'kazoo'/],
      [{ channels: { '1': { family: 'harp' } } }, /channels.1.family: unknown family 'harp'/],
      [{ channels: { '1': { colour: 1 } } }, /channels.1.colour: unknown field/],
      [{ polyphony: 0 }, /polyphony: must be a whole number from 1 to 256/],
      [{ drums: [0] }, /drums: must be a list of channel numbers 1-16/],
    ];
    for (const [json, message] of bad) expect(() => checkVoiceMap(json, 'v.json')).toThrow(message);
  });

  it('plays other channels as drums when the map says so', () => {
    const synth = new PolySynth(SR, { voiceMap: { drums: [1] } });
    const engine = new Engine({
      sampleRate: SR,
      duration: 0.2,
      layers: [],
      master: { fadeIn: 0, fadeOut: 0 },
    });
    engine.attach(synth);
    synth.handleMidi([0x90, 42, 127], 0); // channel 1: a closed hat, not a piano F#2
    const x = new Float64Array(9600);
    engine.render([x], 9600);
    let crossings = 0;
    for (let i = 1; i < 4800; i++) if (x[i - 1]! < 0 !== x[i]! < 0) crossings++;
    expect(crossings).toBeGreaterThan(1000); // noise above 7 kHz, not a 92 Hz tone
  });
});

describe('live MIDI (WebSocket and --midi-in path)', () => {
  it('sounds from the next rendered block when the message has no frame or a past one', () => {
    const synth = new PolySynth(SR);
    const engine = new Engine({
      sampleRate: SR,
      duration: Number.POSITIVE_INFINITY,
      layers: [],
      channels: 2,
    });
    engine.attach(synth);
    const l = new Float64Array(512);
    const r = new Float64Array(512);
    engine.render([l, r], 512);
    expect(l.every((v) => v === 0)).toBe(true);
    synth.handleMidi([0x90, 69, 100], 10); // already past: from frame 512
    engine.render([l, r], 512);
    expect(Math.abs(l[0]!)).toBeLessThan(1e-3);
    expect(l.some((v) => Math.abs(v) > 0.01)).toBe(true);
    synth.handleMidi([0xb0, 120, 0]); // all sound off: gone within 5 ms
    engine.render([l, r], 512);
    const tail = new Float64Array(512);
    engine.render([tail, r], 512);
    expect(tail.every((v) => v === 0)).toBe(true);
    expect(synth.activeVoices).toBe(0);
  });

  it('releases everything when the engine stops (Ctrl-C, session stop)', () => {
    const synth = new PolySynth(SR, { voiceMap: { channels: { '1': { family: 'organ' } } } });
    const engine = new Engine({ sampleRate: SR, duration: Number.POSITIVE_INFINITY, layers: [] });
    engine.attach(synth);
    synth.handleMidi([0x90, 60, 100]);
    const x = new Float64Array(4800);
    engine.render([x], 4800);
    engine.stop(0.05);
    engine.render([x], 4800);
    expect(engine.done).toBe(true);
    expect(Math.abs(x[2399]!)).toBeLessThan(1e-3);
  });
});
