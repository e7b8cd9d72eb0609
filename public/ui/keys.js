// One octave of keys from C4 for the control page, played with the pointer or the computer
// keyboard (A W S E D F T G Y H U J K); each press and release calls `sendMidi` with a MIDI
// note on or off.

const KEY_MAP = 'awsedftgyhujk';
export function buildKeys(box, sendMidi) {
  const whites = [0, 2, 4, 5, 7, 9, 11, 12];
  const blacks = { 1: 0, 3: 1, 6: 3, 8: 4, 10: 5 };
  const els = {};
  for (const semi of whites) {
    const k = document.createElement('div');
    k.className = 'key';
    els[semi] = k;
    box.append(k);
  }
  for (const [semi, after] of Object.entries(blacks)) {
    const k = document.createElement('div');
    k.className = 'key black';
    k.style.left = `${((after + 1) / whites.length) * 100 - 3.5}%`;
    els[semi] = k;
    box.append(k);
  }
  for (const [semi, el] of Object.entries(els)) {
    const note = 60 + Number(semi);
    el.dataset.note = String(note);
    el.addEventListener('pointerdown', (e) => {
      el.setPointerCapture(e.pointerId);
      el.classList.add('down');
      sendMidi([0x90, note, 100]);
    });
    const up = () => {
      if (!el.classList.contains('down')) return;
      el.classList.remove('down');
      sendMidi([0x80, note, 0]);
    };
    el.addEventListener('pointerup', up);
    el.addEventListener('pointercancel', up);
  }
  const held = new Set();
  addEventListener('keydown', (e) => {
    const i = KEY_MAP.indexOf(e.key.toLowerCase());
    if (
      i < 0 ||
      e.repeat ||
      held.has(i) ||
      e.ctrlKey ||
      e.metaKey ||
      e.altKey ||
      e.target instanceof HTMLSelectElement ||
      (e.target instanceof HTMLInputElement && e.target.type !== 'range')
    )
      return;
    held.add(i);
    els[i]?.classList.add('down');
    sendMidi([0x90, 60 + i, 100]);
  });
  addEventListener('keyup', (e) => {
    const i = KEY_MAP.indexOf(e.key.toLowerCase());
    if (!held.delete(i)) return;
    els[i]?.classList.remove('down');
    sendMidi([0x80, 60 + i, 0]);
  });
}
