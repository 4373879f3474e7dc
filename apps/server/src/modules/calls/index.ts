export {
  iceServersFor,
  JoinTokens,
  newRoomId,
  turnCredential,
  type IceServer,
  type JoinClaims,
} from './credentials.js';
export { roomNotifier, SignallingHub, type Peer, type SignalMessage } from './hub.js';
export { CallRepository } from './repository.js';
export { callRoutes } from './routes.js';
export { CallService, INVITE_ROLES, JoinRefused, MAX_PARTICIPANTS, type CallCredentials } from './service.js';
