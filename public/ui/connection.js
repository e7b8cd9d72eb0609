// The control page's WebSocket to /ws/audio-stream/: opens it, sends `start` (built fresh each
// time, so a reconnect restores the scene as it is now), watches it, and reconnects with
// backoff when it drops while the user wants sound: 0.5 s, 1, 2, 4, then every 8 s.
// States: idle, connecting, live, reconnecting, needs-key, error.

const BACKOFF_MS = [500, 1000, 2000, 4000, 8000];
const PING_MS = 2000;
const SILENT_MS = 5000; // no message at all for this long while live: the link is dead

export class Connection {
  /**
   * @param {{ url: () => string, startMessage: () => object, onJson: (m: object) => void,
   *   onAudio: (b: ArrayBuffer) => void, onState: (state: string, detail: string) => void,
   *   keyAccepted: () => Promise<boolean> }} o
   */
  constructor(o) {
    this.o = o;
    this.ws = null;
    this.wanted = false;
    this.attempt = 0;
    this.retryTimer = 0;
    this.pingTimer = 0;
    this.lastHeard = 0;
    this.state = 'idle';
    this.reconnects = 0;
  }

  set(state, detail = '') {
    this.state = state;
    this.o.onState(state, detail);
  }

  /** Start sound: connect (or reconnect) and keep the stream up until {@link stop}. */
  start() {
    this.wanted = true;
    this.attempt = 0;
    clearTimeout(this.retryTimer);
    this.open();
  }

  open() {
    this.drop();
    this.set(
      this.attempt === 0 ? 'connecting' : 'reconnecting',
      this.attempt ? `attempt ${this.attempt + 1}` : '',
    );
    let sock;
    try {
      sock = new WebSocket(this.o.url());
    } catch (e) {
      this.set('error', e.message);
      return;
    }
    sock.binaryType = 'arraybuffer';
    this.ws = sock;
    let opened = false;
    sock.onopen = () => {
      opened = true;
      this.lastHeard = performance.now();
      sock.send(JSON.stringify(this.o.startMessage()));
      this.pingTimer = setInterval(() => this.watch(sock), PING_MS);
    };
    sock.onmessage = (e) => {
      this.lastHeard = performance.now();
      if (typeof e.data !== 'string') return this.o.onAudio(e.data);
      const m = JSON.parse(e.data);
      if (m.type === 'started') {
        if (this.attempt > 0) this.reconnects++;
        this.attempt = 0;
        this.set('live', `${m.sampleRate} Hz · ${m.channels} ch`);
      }
      this.o.onJson(m);
    };
    sock.onclose = (e) => {
      if (this.ws !== sock) return;
      clearInterval(this.pingTimer);
      this.ws = null;
      if (!this.wanted) return this.set('idle');
      this.closed(opened, e);
    };
  }

  async closed(opened, e) {
    // a refused upgrade (401) looks like any failed connection to a page: ask a REST route
    if (!opened && !(await this.o.keyAccepted())) {
      this.wanted = false;
      return this.set('needs-key', 'this server needs an API key');
    }
    if (!this.wanted) return;
    const delay = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)];
    this.attempt++;
    const why = opened ? e.reason || `closed (${e.code})` : 'server unreachable';
    this.set('reconnecting', `${why}; retry in ${(delay / 1000).toFixed(1)} s`);
    this.retryTimer = setTimeout(() => this.wanted && this.open(), delay);
  }

  watch(sock) {
    if (sock.readyState !== WebSocket.OPEN) return;
    if (performance.now() - this.lastHeard > SILENT_MS) {
      sock.close(4000, 'no answer');
      return;
    }
    sock.send(JSON.stringify({ type: 'ping', t: performance.now() }));
  }

  /** Send a message when live; false when it could not be sent. */
  send(m) {
    if (this.state !== 'live' || this.ws?.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(m));
    return true;
  }

  /** Stop sound: fade out on the server, then close. */
  stop() {
    this.wanted = false;
    clearTimeout(this.retryTimer);
    const sock = this.ws;
    if (sock?.readyState === WebSocket.OPEN && this.state === 'live') {
      sock.send(JSON.stringify({ type: 'stop' }));
      setTimeout(() => sock.readyState === WebSocket.OPEN && sock.close(1000), 1500);
    } else this.drop();
    this.set('idle');
  }

  drop() {
    clearInterval(this.pingTimer);
    const sock = this.ws;
    this.ws = null;
    if (sock && sock.readyState <= WebSocket.OPEN) sock.close(1000);
  }
}
