import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpSmsSender, SmsDeliveryError } from './adapter.js';

/** A stand-in SMS gateway that speaks the adapter's HTTP protocol. */
const received: { headers: IncomingMessage['headers']; body: unknown }[] = [];
let failNext = false;
const gateway = createServer((request, response) => {
  let body = '';
  request.on('data', (chunk: Buffer) => (body += chunk.toString()));
  request.on('end', () => {
    received.push({ headers: request.headers, body: JSON.parse(body) as unknown });
    response.statusCode = failNext ? 503 : 202;
    failNext = false;
    response.end('{"id":"msg-1"}');
  });
});
let url = '';
beforeAll(async () => {
  await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/v1/messages`;
});
afterAll(() => new Promise<void>((resolve) => gateway.close(() => resolve())));

describe('HTTP SMS adapter', () => {
  it('posts the message with the bearer token and the international number', async () => {
    const sender = new HttpSmsSender({ gatewayUrl: url, gatewayToken: 'gw-token', senderId: 'SANJOG' });
    await sender.send({ to: '9876543210', body: '123456 is your code' });
    expect(received.at(-1)).toMatchObject({
      headers: { authorization: 'Bearer gw-token', 'content-type': 'application/json' },
      body: { from: 'SANJOG', to: '+919876543210', text: '123456 is your code' },
    });
  });

  it('reports a gateway failure', async () => {
    failNext = true;
    const sender = new HttpSmsSender({ gatewayUrl: url, gatewayToken: 'gw-token', senderId: 'SANJOG' });
    await expect(sender.send({ to: '9876543210', body: 'x' })).rejects.toBeInstanceOf(SmsDeliveryError);
  });

  it('reports an unreachable gateway', async () => {
    const sender = new HttpSmsSender({
      gatewayUrl: 'http://127.0.0.1:9/none',
      gatewayToken: 't',
      senderId: 'S',
      timeoutMs: 1000,
    });
    await expect(sender.send({ to: '9876543210', body: 'x' })).rejects.toThrow(/unreachable/);
  });
});
