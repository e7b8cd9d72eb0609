import { describe, expect, it } from 'vitest';
import { EventQueue } from '../../src/midi/event-queue.js';

describe('EventQueue', () => {
  it('gives messages by frame, those of one frame in their order of arrival', () => {
    const q = new EventQueue();
    const sent: [number, number][] = [];
    let x = 12345;
    for (let i = 0; i < 20000; i++) {
      x = (x * 1103515245 + 12345) % 2147483648;
      const frame = x % 500;
      q.push(frame, i);
      sent.push([frame, i]);
      // take some out while adding, as a render does
      if (i % 7 === 0) {
        const min = Math.min(...sent.map((s) => s[0]));
        const first = sent.filter((s) => s[0] === min)[0]!;
        expect([q.frame, q.msg]).toEqual(first);
        q.pop();
        sent.splice(sent.indexOf(first), 1);
      }
    }
    sent.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    const got: [number, number][] = [];
    while (q.size > 0) {
      got.push([q.frame, q.msg]);
      q.pop();
    }
    expect(got).toEqual(sent);
  });

  it('keeps the bytes of system exclusive messages with their message', () => {
    const q = new EventQueue();
    q.push(10, 0x100, Uint8Array.of(1, 2));
    q.push(5, 0x90);
    q.push(10, 0x100, Uint8Array.of(3));
    expect(q.sysex).toBeUndefined();
    q.pop();
    expect([...q.sysex!]).toEqual([1, 2]);
    q.pop();
    expect([...q.sysex!]).toEqual([3]);
    q.pop();
    expect(q.size).toBe(0);
  });
});
