import { parentPort } from 'node:worker_threads';
import { midiVoiceMaker } from './midi-voice.js';
import { type HostRequest, SynthHost } from './synth-host.js';

// A worker thread rendering live sessions for the main thread (src/server/ws/workers.ts): the
// main thread keeps the sockets and the pacing and sends changes and render requests here.
const port = parentPort;
if (!port) throw new Error('render-worker.js runs as a worker thread of the live synthesis server');
const host = new SynthHost((msg, transfer) => port.postMessage(msg, transfer), await midiVoiceMaker());
port.on('message', (msg: HostRequest) => host.handle(msg));
