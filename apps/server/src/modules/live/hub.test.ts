import { describe, expect, it } from 'vitest';
import { InProcessBus } from '../../platform/bus.js';
import type { Position } from '../queue/index.js';
import { LiveHub, type LiveMessage } from './hub.js';

/** A queue of one OPD whose order the test sets. */
class FakeQueue {
  order: { tokenId: string; accountUserId: string }[] = [];
  positionQueries = 0;
  private places(): Position[] {
    return this.order.map((t, ahead) => ({ ...t, ahead, estimatedWaitMinutes: (ahead + 1) * 10 }));
  }
  positions(opdIds: readonly string[]): Promise<Map<string, Position[]>> {
    this.positionQueries += 1;
    return Promise.resolve(new Map(opdIds.map((id) => [id, id === 'opd-1' ? this.places() : []])));
  }
  placesOf(accountUserId: string): Promise<Position[]> {
    return Promise.resolve(this.places().filter((p) => p.accountUserId === accountUserId));
  }
  liveOpdsOf(accountUserId: string): Promise<string[]> {
    return Promise.resolve(this.order.some((t) => t.accountUserId === accountUserId) ? ['opd-1'] : []);
  }
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('live hub', () => {
  it('sends a place on connect, then only the places that changed, in one query per tick', async () => {
    const bus = new InProcessBus();
    const queue = new FakeQueue();
    queue.order = Array.from({ length: 1000 }, (_, i) => ({
      tokenId: `t${String(i)}`,
      accountUserId: `a${String(i)}`,
    }));
    let now = 0;
    const hub = new LiveHub(bus, queue, 60_000, undefined, () => now);
    await hub.start();
    const received = new Map<string, LiveMessage[]>();
    for (const account of ['a0', 'a1', 'a500', 'a999']) {
      const messages: LiveMessage[] = [];
      received.set(account, messages);
      await hub.connectPatient(account, { send: (m) => messages.push(m) });
    }
    expect(received.get('a500')).toEqual([
      { type: 'position', tokenId: 't500', ahead: 500, estimatedWaitMinutes: 5010 },
    ]);

    // Token 0 is called; everyone else moves up by one.
    queue.order = queue.order.slice(1);
    queue.positionQueries = 0;
    await bus.publish('queue.changed', { opdId: 'opd-1' });
    await bus.publish('queue.changed', { opdId: 'opd-1' });
    await flush();
    await hub.tick();
    expect(queue.positionQueries).toBe(1);
    // Near the front at once; far back (500th) held back some seconds, then sent without another event.
    expect(received.get('a1')?.at(-1)).toMatchObject({ ahead: 0 });
    expect(received.get('a500')?.at(-1)).toMatchObject({ ahead: 500 });
    now = 15_000;
    await hub.tick();
    expect(received.get('a500')?.at(-1)).toMatchObject({ ahead: 499 });
    expect(received.get('a999')?.at(-1)).toMatchObject({ ahead: 998 });

    // Nothing changed for anyone: nothing is sent.
    now = 60_000;
    const before = [...received.values()].reduce((n, m) => n + m.length, 0);
    await bus.publish('queue.changed', { opdId: 'opd-1' });
    await flush();
    await hub.tick();
    expect([...received.values()].reduce((n, m) => n + m.length, 0)).toBe(before);
    await hub.stop();
  });

  it("passes a token's events to every device of the account at once", async () => {
    const bus = new InProcessBus();
    const queue = new FakeQueue();
    queue.order = [{ tokenId: 't1', accountUserId: 'a1' }];
    const hub = new LiveHub(bus, queue, 60_000);
    await hub.start();
    const phone: LiveMessage[] = [];
    const tablet: LiveMessage[] = [];
    await hub.connectPatient('a1', { send: (m) => phone.push(m) });
    const disconnectTablet = await hub.connectPatient('a1', { send: (m) => tablet.push(m) });
    await bus.publish('queue.account.a1', { tokenId: 't1', event: 'called', status: 'called' });
    await flush();
    expect(phone.at(-1)).toEqual({ type: 'token', tokenId: 't1', event: 'called', status: 'called' });
    expect(tablet.at(-1)).toEqual(phone.at(-1));
    disconnectTablet();
    expect(hub.connections()).toBe(1);
    await hub.stop();
  });

  it('forgets the places sent to an account when its last device disconnects, and a token once it leaves the queue', async () => {
    const bus = new InProcessBus();
    const queue = new FakeQueue();
    queue.order = ['a1', 'a2', 'a3'].map((account, i) => ({ tokenId: `t${String(i + 1)}`, accountUserId: account }));
    const hub = new LiveHub(bus, queue, 60_000);
    await hub.start();
    const phone = await hub.connectPatient('a1', { send: () => undefined });
    const tablet = await hub.connectPatient('a1', { send: () => undefined });
    const other = await hub.connectPatient('a2', { send: () => undefined });
    const third = await hub.connectPatient('a3', { send: () => undefined });
    queue.order = queue.order.slice(1);
    await bus.publish('queue.changed', { opdId: 'opd-1' });
    await flush();
    await hub.tick();
    expect(hub.rememberedPlaces()).toBe(3);

    // One of two devices goes: the account is still there, and so are its places.
    phone();
    expect(hub.rememberedPlaces()).toBe(3);
    tablet();
    expect(hub.rememberedPlaces()).toBe(2);
    // A token that is called leaves the queue: its place is forgotten though its device stays.
    await bus.publish('queue.account.a2', { tokenId: 't2', event: 'called', status: 'called' });
    await flush();
    expect(hub.rememberedPlaces()).toBe(1);
    other();
    third();
    expect(hub.rememberedPlaces()).toBe(0);

    // Many patients come and go: nothing stays behind.
    for (let i = 0; i < 50; i += 1) {
      queue.order = [{ tokenId: `x${String(i)}`, accountUserId: `b${String(i)}` }];
      const disconnect = await hub.connectPatient(`b${String(i)}`, { send: () => undefined });
      disconnect();
    }
    expect(hub.rememberedPlaces()).toBe(0);
    expect(hub.connections()).toBe(0);
    await hub.stop();
  });

  it("tells the OPD's consoles at once when a patient a doctor holds joins, and only the count otherwise", async () => {
    const bus = new InProcessBus();
    const queue = new FakeQueue();
    queue.order = [{ tokenId: 't2', accountUserId: 'a2' }];
    const hub = new LiveHub(bus, queue, 60_000);
    await hub.start();
    const console: LiveMessage[] = [];
    const elsewhere: LiveMessage[] = [];
    hub.connectStaff('opd-1', { send: (m) => console.push(m) });
    hub.connectStaff('opd-2', { send: (m) => elsewhere.push(m) });
    await bus.publish('queue.changed', {
      opdId: 'opd-1',
      tokenId: 't1',
      event: 'joined',
      status: 'in_consultation',
      practitionerId: 'p1',
    });
    await bus.publish('queue.changed', { opdId: 'opd-1' });
    await flush();
    expect(console).toEqual([{ type: 'token', tokenId: 't1', event: 'joined', status: 'in_consultation' }]);
    await hub.tick();
    expect(console.at(-1)).toEqual({ type: 'queue', opdId: 'opd-1', waiting: 1 });
    expect(elsewhere.filter((m) => m.type === 'token')).toEqual([]);
    await hub.stop();
  });
});
