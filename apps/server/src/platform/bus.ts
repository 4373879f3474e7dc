import { EventEmitter } from 'node:events';
import { Redis } from 'ioredis';

/**
 * Events between the parts of the server and between server instances. In-process by default;
 * through Redis pub/sub when REDIS_URL is set, so that several stateless instances behind a
 * load balancer see each other's events. Messages are JSON.
 */
export interface Bus {
  publish(topic: string, message: unknown): Promise<void>;
  /** Returns a function that stops the subscription. */
  subscribe(topic: string, handler: (message: unknown) => void): Promise<() => Promise<void>>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export class InProcessBus implements Bus {
  private readonly emitter = new EventEmitter({ captureRejections: false });

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  publish(topic: string, message: unknown): Promise<void> {
    // A copy, so that a subscriber never shares an object with the publisher (as with Redis).
    const copy: unknown = JSON.parse(JSON.stringify(message));
    queueMicrotask(() => this.emitter.emit(topic, copy));
    return Promise.resolve();
  }

  subscribe(topic: string, handler: (message: unknown) => void): Promise<() => Promise<void>> {
    this.emitter.on(topic, handler);
    return Promise.resolve(() => {
      this.emitter.off(topic, handler);
      return Promise.resolve();
    });
  }

  ping(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.emitter.removeAllListeners();
    return Promise.resolve();
  }
}

export class RedisBus implements Bus {
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly local = new EventEmitter();

  constructor(
    url: string,
    private readonly prefix = 'sanjog:',
  ) {
    this.publisher = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2 });
    this.subscriber = new Redis(url, { lazyConnect: true });
    this.local.setMaxListeners(0);
    this.subscriber.on('message', (channel: string, payload: string) => {
      this.local.emit(channel, JSON.parse(payload) as unknown);
    });
  }

  async connect(): Promise<this> {
    await Promise.all([this.publisher.connect(), this.subscriber.connect()]);
    return this;
  }

  async publish(topic: string, message: unknown): Promise<void> {
    await this.publisher.publish(this.prefix + topic, JSON.stringify(message));
  }

  async subscribe(topic: string, handler: (message: unknown) => void): Promise<() => Promise<void>> {
    const channel = this.prefix + topic;
    if (this.local.listenerCount(channel) === 0) await this.subscriber.subscribe(channel);
    this.local.on(channel, handler);
    return async () => {
      this.local.off(channel, handler);
      if (this.local.listenerCount(channel) === 0) await this.subscriber.unsubscribe(channel);
    };
  }

  async ping(): Promise<void> {
    await this.publisher.ping();
  }

  async close(): Promise<void> {
    this.local.removeAllListeners();
    await Promise.allSettled([this.publisher.quit(), this.subscriber.quit()]);
  }
}

export async function openBus(redisUrl: string | undefined, prefix?: string): Promise<Bus> {
  return redisUrl === undefined ? new InProcessBus() : new RedisBus(redisUrl, prefix).connect();
}
