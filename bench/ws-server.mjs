// Child process of bench/ws.mjs: a Fastify server with the live synthesis endpoint only, on
// 127.0.0.1 (free port). It tells its parent the port, and answers `stats` requests over IPC with
// its memory, CPU time and the sessions' counters, so the bench measures the server alone.
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import Fastify from 'fastify';
import { wsHubOf, wsPlugin } from '../dist/server/ws/plugin.js';

const maxSessions = Number(process.env.MAX_SESSIONS ?? 1000);
const workers = process.env.WS_WORKERS === undefined ? undefined : Number(process.env.WS_WORKERS);
const app = Fastify();
await app.register(wsPlugin, { maxSessions, ...(workers !== undefined ? { workers } : {}) });
await app.listen({ host: '127.0.0.1', port: 0 });
const hub = wsHubOf(app.server);
process.send({ type: 'ready', port: app.server.address().port });

let peakRss = process.memoryUsage().rss;
const loopDelay = monitorEventLoopDelay({ resolution: 5 });
loopDelay.enable();
setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 100).unref();

process.on('message', async (m) => {
  if (m.type === 'stats') {
    let late = 0;
    let maxBuffered = 0;
    let warnings = 0;
    let vizDropped = 0;
    let minHeadroomMs = Number.POSITIVE_INFINITY;
    let lateFrames = 0;
    let sentFrames = 0;
    let closing = 0;
    for (const s of hub.sessions) {
      if (s.engine === null) closing++;
      lateFrames += s.stats.lateFrames;
      sentFrames += s.stats.audioFrames;
      minHeadroomMs = Math.min(minHeadroomMs, s.stats.minHeadroomMs);
      if (m.resetHeadroom) s.stats.minHeadroomMs = Number.POSITIVE_INFINITY;
      late += s.stats.late;
      maxBuffered = Math.max(maxBuffered, s.stats.maxBuffered);
      warnings += s.stats.warnings;
      vizDropped += s.stats.vizDropped;
    }
    const mem = process.memoryUsage();
    peakRss = Math.max(peakRss, mem.rss);
    process.send({
      type: 'stats',
      rss: mem.rss,
      peakRss,
      heapUsed: mem.heapUsed,
      cpu: process.cpuUsage(),
      sessions: hub.sessions.size,
      closing,
      late,
      maxBuffered,
      warnings,
      vizDropped,
      minHeadroomMs,
      lateFrames,
      sentFrames,
      loadavg: os.loadavg()[0],
      loopDelayP99Ms: loopDelay.percentile(99) / 1e6,
      loopDelayMaxMs: loopDelay.max / 1e6,
      longestTickMs: hub.scheduler.longestTickMs,
      threads: hub.pool.threads,
      lanes: hub.pool.load,
      cores: os.availableParallelism(),
    });
    hub.scheduler.longestTickMs = 0;
    if (m.resetHeadroom) loopDelay.reset();
    if (m.resetPeak) peakRss = mem.rss;
  } else if (m.type === 'gc' && global.gc) {
    global.gc();
  } else if (m.type === 'exit') {
    await app.close();
    process.exit(0);
  }
});
