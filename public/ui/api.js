// REST calls of the control page, with the API key when one is set (X-API-Key). A 401 calls
// `onNeedKey`, so the page can ask for the key; the call then fails with `status` 401.

export class Api {
  /** @param {() => string} key @param {(message: string) => void} onNeedKey */
  constructor(key, onNeedKey) {
    this.key = key;
    this.onNeedKey = onNeedKey;
  }

  headers(json) {
    const h = {};
    const k = this.key();
    if (k) h['X-API-Key'] = k;
    if (json) h['Content-Type'] = 'application/json';
    return h;
  }

  /** GET or POST (with a JSON body) `path`; resolves to the parsed JSON answer. */
  async call(path, body) {
    const res = await fetch(path, {
      method: body === undefined ? 'GET' : 'POST',
      headers: this.headers(body !== undefined),
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const data = await res.json().catch(() => ({}));
    if (res.status === 401) this.onNeedKey(data?.error?.message ?? 'this server needs an API key');
    if (!res.ok) {
      const e = new Error(data?.error?.message ?? `HTTP ${res.status}`);
      e.status = res.status;
      e.code = data?.error?.code;
      throw e;
    }
    return data;
  }

  /** True when the key (or no key) is accepted: asks a route that needs it. */
  async keyAccepted() {
    try {
      const res = await fetch('/presets/', { headers: this.headers(false) });
      return res.status !== 401;
    } catch {
      return true; // the server is unreachable: not a key problem
    }
  }
}
