/**
 * The call signalling protocol (`GET /api/v1/calls/signal`), shared by the server and the web
 * app. The server passes `signal` data between participants without reading it.
 */

/** A participant as the others see them. `session` is the page's own id: a new one means a fresh start. */
export interface CallPeer {
  id: string;
  name: string;
  role: string;
  session: string;
}

/** What the signalling socket sends to a participant. */
export type SignalMessage =
  | { type: 'welcome'; self: CallPeer; peers: CallPeer[] }
  | { type: 'peer-joined'; peer: CallPeer }
  | { type: 'peer-left'; id: string }
  | { type: 'signal'; from: string; data: unknown }
  | { type: 'chat'; message: unknown }
  | { type: 'callback'; callback: unknown }
  | { type: 'pong' };
