// Runs as its own process (so the bench's own work cannot delay it): GETs /healthz on one keep-alive
// connection, one request after the other with a 2 ms pause, until stdin closes; then prints one
// JSON line with the latencies. A request is timed from send to the last byte of the answer.
//
//   node healthz-probe.js <port>

import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

const port = Number(process.argv[2]);
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
const latenciesMs: number[] = [];
let stopping = false;
process.stdin.on('end', () => (stopping = true));
process.stdin.resume();

function once(): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request({ host: '127.0.0.1', port, path: '/healthz', agent }, (res) => {
      res.resume();
      res.on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`/healthz answered ${res.statusCode}`));
        latenciesMs.push(performance.now() - started);
        resolve();
      });
    });
    req.on('error', reject);
    req.end();
  });
}

while (!stopping) {
  await once();
  await new Promise((resolve) => setTimeout(resolve, 2));
}
const sorted = [...latenciesMs].sort((a, b) => a - b);
const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
process.stdout.write(`${JSON.stringify({ count: sorted.length, maxMs: sorted.at(-1) ?? NaN, p50Ms: at(0.5), p99Ms: at(0.99) })}\n`);
agent.destroy();
