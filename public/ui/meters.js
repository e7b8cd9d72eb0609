// Level meters of the control page, one per channel: the bar shows the peak of each `viz`
// period on a -60..0 dBFS scale, a marker holds the highest peak for 1.5 s and then falls at
// 20 dB a second, and the text gives the held peak in dB.

const FLOOR_DB = -60;
const HOLD_SEC = 1.5;
const FALL_DB_PER_SEC = 20;

const toDb = (x) => 20 * Math.log10(Math.max(x, 1e-6));
const pct = (db) => `${Math.max(0, Math.min(100, ((db - FLOOR_DB) / -FLOOR_DB) * 100)).toFixed(1)}%`;

export class Meter {
  /** @param {HTMLElement} root an element holding `.fill`, `.hold` and `.db` */
  constructor(root) {
    this.fill = root.querySelector('.fill');
    this.mark = root.querySelector('.hold');
    this.text = root.querySelector('.db');
    this.holdDb = FLOOR_DB;
    this.holdAt = 0;
  }

  /** A new peak (linear) at time `now` (seconds). */
  update(peak, now) {
    const db = toDb(peak);
    if (db >= this.holdDb) {
      this.holdDb = db;
      this.holdAt = now;
    } else if (now - this.holdAt > HOLD_SEC) {
      const fallen = this.holdDb - FALL_DB_PER_SEC * (now - this.holdAt - HOLD_SEC);
      this.holdDb = Math.max(db, fallen, FLOOR_DB);
      if (this.holdDb === db) this.holdAt = now;
    }
    this.fill.style.width = pct(db);
    this.mark.style.left = pct(this.holdDb);
    this.mark.dataset.clip = String(this.holdDb > -0.1);
    this.text.textContent = this.holdDb <= FLOOR_DB ? '-inf' : this.holdDb.toFixed(1);
  }

  reset() {
    this.holdDb = FLOOR_DB;
    this.update(0, 0);
  }
}
