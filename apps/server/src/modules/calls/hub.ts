import type { CallPeer as Peer, SignalMessage } from '@sanjog/shared';
import type { Bus } from '../../platform/bus.js';

export type { CallPeer as Peer, SignalMessage } from '@sanjog/shared';

export interface SignalSocket {
  send(message: SignalMessage): void;
  close(code: number, reason: string): void;
}

export interface Member {
  roomId: string;
  peer: Peer;
  connectionId: string;
  socket: SignalSocket;
}

/** What goes between instances on a room's topic. */
type RoomEvent =
  | { kind: 'signal'; from: string; to: string; data: unknown }
  | { kind: 'broadcast'; except: string | null; message: SignalMessage }
  | { kind: 'evict'; participantId: string; keep: string };

export const roomTopic = (roomId: string) => `call.room.${roomId}`;

/**
 * The signalling sockets of this instance, by room. Offers, answers and candidates go straight
 * to the addressee when it is connected here, and through the bus (Redis between instances)
 * otherwise; each instance listens to the rooms it has members of. The server only passes
 * these messages on: media goes from browser to browser.
 */
export class SignallingHub {
  private readonly rooms = new Map<string, Map<string, Member>>();
  private readonly subscriptions = new Map<string, Promise<() => Promise<void>>>();

  constructor(private readonly bus: Bus) {}

  connections(): number {
    let count = 0;
    for (const members of this.rooms.values()) count += members.size;
    return count;
  }

  /** Adds a member; an earlier connection of the same participant, here or elsewhere, is closed. */
  async add(member: Member): Promise<void> {
    let members = this.rooms.get(member.roomId);
    if (members === undefined) {
      members = new Map();
      this.rooms.set(member.roomId, members);
      this.subscriptions.set(
        member.roomId,
        this.bus.subscribe(roomTopic(member.roomId), (event) => this.onRoomEvent(member.roomId, event as RoomEvent)),
      );
    }
    const earlier = members.get(member.peer.id);
    members.set(member.peer.id, member);
    if (earlier !== undefined && earlier.connectionId !== member.connectionId)
      earlier.socket.close(4409, 'joined again from another connection');
    await this.subscriptions.get(member.roomId);
    await this.bus.publish(roomTopic(member.roomId), {
      kind: 'evict',
      participantId: member.peer.id,
      keep: member.connectionId,
    } satisfies RoomEvent);
  }

  /** Removes a member (if this connection is still the participant's). */
  remove(member: Member): void {
    const members = this.rooms.get(member.roomId);
    if (members?.get(member.peer.id)?.connectionId !== member.connectionId) return;
    members.delete(member.peer.id);
    if (members.size > 0) return;
    this.rooms.delete(member.roomId);
    const subscription = this.subscriptions.get(member.roomId);
    this.subscriptions.delete(member.roomId);
    void subscription?.then((stop) => stop());
  }

  /** Passes a signalling message from one participant to another in the same room. */
  async relay(from: Member, to: string, data: unknown): Promise<void> {
    const target = this.rooms.get(from.roomId)?.get(to);
    if (target !== undefined) {
      target.socket.send({ type: 'signal', from: from.peer.id, data });
      return;
    }
    await this.bus.publish(roomTopic(from.roomId), {
      kind: 'signal',
      from: from.peer.id,
      to,
      data,
    } satisfies RoomEvent);
  }

  /** Sends a message to every member of a room on every instance, but `except`. */
  async broadcast(roomId: string, message: SignalMessage, except: string | null = null): Promise<void> {
    await this.bus.publish(roomTopic(roomId), { kind: 'broadcast', except, message } satisfies RoomEvent);
  }

  /** Closes every socket of this instance (shutdown): browsers reconnect to another instance. */
  closeAll(code: number, reason: string): void {
    for (const members of this.rooms.values()) for (const member of members.values()) member.socket.close(code, reason);
  }

  async stop(): Promise<void> {
    const subscriptions = [...this.subscriptions.values()];
    this.subscriptions.clear();
    await Promise.all(subscriptions.map(async (subscription) => (await subscription)()));
  }

  private onRoomEvent(roomId: string, event: RoomEvent): void {
    const members = this.rooms.get(roomId);
    if (members === undefined) return;
    if (event.kind === 'signal') {
      members.get(event.to)?.socket.send({ type: 'signal', from: event.from, data: event.data });
    } else if (event.kind === 'broadcast') {
      for (const [id, member] of members) if (id !== event.except) member.socket.send(event.message);
    } else {
      const member = members.get(event.participantId);
      if (member !== undefined && member.connectionId !== event.keep) {
        members.delete(event.participantId);
        member.socket.close(4409, 'joined again from another connection');
      }
    }
  }
}

/** Adds a broadcast helper for services that only know the room (chat, callbacks). */
export function roomNotifier(bus: Bus) {
  return (roomId: string, message: SignalMessage) =>
    bus.publish(roomTopic(roomId), { kind: 'broadcast', except: null, message } satisfies RoomEvent);
}
