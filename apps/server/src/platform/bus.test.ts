import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InProcessBus, openBus, type Bus } from './bus.js';

function nextMessage(bus: Bus, topic: string): Promise<unknown> {
  return new Promise((resolve) => {
    void bus.subscribe(topic, resolve);
  });
}

describe('in-process bus', () => {
  it('delivers a copy of each message to every subscriber', async () => {
    const bus = new InProcessBus();
    const original = { queue: 'opd-1', position: 3 };
    const [a, b] = [nextMessage(bus, 't'), nextMessage(bus, 't')];
    await bus.publish('t', original);
    expect(await a).toEqual(original);
    expect(await b).not.toBe(original);
    await bus.close();
  });
});

describe.runIf(process.env.REDIS_URL)('Redis bus', () => {
  it('carries events from one instance to another', async () => {
    const prefix = `test-${randomUUID()}:`;
    const one = await openBus(process.env.REDIS_URL, prefix);
    const two = await openBus(process.env.REDIS_URL, prefix);
    const received = new Promise<unknown>((resolve) => {
      void two.subscribe('queue.called', resolve);
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await one.publish('queue.called', { token: 'A-17' });
    expect(await received).toEqual({ token: 'A-17' });
    await one.close();
    await two.close();
  });
});
