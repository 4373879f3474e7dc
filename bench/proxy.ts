import http from 'node:http';
import net from 'node:net';

/**
 * A small round-robin reverse proxy for benchmarks of several server instances: each HTTP
 * request and each WebSocket upgrade goes to the next backend in turn. Requests are streamed
 * both ways on keep-alive connections; an upgrade is a raw TCP pipe after the request line and
 * headers are replayed to the backend. Like nginx's default round robin, without health checks.
 */
export interface RunningProxy {
  url: string;
  /** Requests and upgrades sent to each backend so far, in the order given. */
  counts: number[];
  close(): Promise<void>;
}

export async function startProxy(backends: readonly string[]): Promise<RunningProxy> {
  if (backends.length === 0) throw new Error('a proxy needs at least one backend');
  const targets = backends.map((backend) => new URL(backend));
  const agents = targets.map(() => new http.Agent({ keepAlive: true, maxSockets: 1024 }));
  const counts = targets.map(() => 0);
  let next = 0;
  const pick = () => {
    const index = next;
    next = (next + 1) % targets.length;
    counts[index] = (counts[index] ?? 0) + 1;
    return index;
  };
  const forwardedHeaders = (request: http.IncomingMessage) => ({
    ...request.headers,
    'x-forwarded-for': request.socket.remoteAddress ?? '',
  });

  const server = http.createServer((request, response) => {
    const index = pick();
    const target = targets[index]!;
    const upstream = http.request(
      {
        agent: agents[index],
        host: target.hostname,
        port: target.port,
        method: request.method,
        path: request.url,
        headers: forwardedHeaders(request),
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    upstream.on('error', () => {
      if (!response.headersSent) response.writeHead(502, { 'content-type': 'text/plain' });
      response.end('bad gateway');
    });
    request.pipe(upstream);
  });
  // Keep-alive from the load generator: as many requests per connection as it likes.
  server.keepAliveTimeout = 60_000;

  server.on('upgrade', (request: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const target = targets[pick()]!;
    const upstream = net.connect(Number(target.port), target.hostname, () => {
      const headers = forwardedHeaders(request);
      const lines = [`${request.method ?? 'GET'} ${request.url ?? '/'} HTTP/1.1`];
      for (const [name, value] of Object.entries(headers)) {
        for (const one of Array.isArray(value) ? value : [value]) lines.push(`${name}: ${one}`);
      }
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    const end = () => {
      upstream.destroy();
      client.destroy();
    };
    upstream.on('error', end);
    client.on('error', end);
    upstream.on('close', end);
    client.on('close', end);
  });

  const sockets = new Set<net.Socket>();
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${String(address.port)}`,
    counts,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      for (const agent of agents) agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
