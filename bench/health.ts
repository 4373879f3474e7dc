import { spawn } from 'node:child_process';
import autocannon from 'autocannon';
import { report, round, startServer, staffBearer } from './lib.js';

/**
 * `health`: requests per second and latency of GET /health and of an authenticated API read,
 * beside a bare Node http server on the same machine, so the framework's cost shows as a ratio.
 */
const BARE_SERVER = `
const http = require('node:http');
const server = http.createServer((req, res) => { res.setHeader('content-type', 'application/json'); res.end('{"status":"ok"}'); });
server.listen(0, '127.0.0.1', () => console.log('bare on ' + server.address().port));
`;

async function bareNodeRps(duration: number, connections: number): Promise<number> {
  const child = spawn(process.execPath, ['-e', BARE_SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve) => {
    child.stdout.on('data', (chunk: Buffer) => {
      const match = /bare on (\d+)/.exec(chunk.toString());
      if (match?.[1] !== undefined) resolve(match[1]);
    });
  });
  const result = await autocannon({ url: `http://127.0.0.1:${port}/`, connections, duration });
  child.kill();
  return result.requests.average;
}

export async function run(options: { duration: number }): Promise<void> {
  const connections = 50;
  const server = await startServer();
  try {
    const auth = await staffBearer(server.url, 'national.admin');
    // Warm up JIT and connection pools before measuring.
    await autocannon({ url: `${server.url}/health`, connections, duration: 2 });
    const health = await autocannon({ url: `${server.url}/health`, connections, duration: options.duration });
    const authRead = await autocannon({
      url: `${server.url}/api/v1/facilities?limit=20`,
      connections,
      duration: options.duration,
      headers: auth,
    });
    const bare = await bareNodeRps(options.duration, connections);
    const failures = health.errors + health.non2xx + authRead.errors + authRead.non2xx;
    report(
      `health benchmark (${server.storage}, ${String(connections)} connections, ${String(options.duration)} s each)`,
      {
        storage: server.storage,
        healthRps: round(health.requests.average, 0),
        healthP50Ms: health.latency.p50,
        healthP99Ms: health.latency.p99,
        authReadRps: round(authRead.requests.average, 0),
        authReadP50Ms: authRead.latency.p50,
        authReadP99Ms: authRead.latency.p99,
        bareNodeRps: round(bare, 0),
        healthToBareRatio: round(health.requests.average / bare, 3),
        failures,
      },
    );
  } finally {
    await server.stop();
  }
}
