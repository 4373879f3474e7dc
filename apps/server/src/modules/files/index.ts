export { PostgresFileStore } from './repository.js';
export type { FileStore, NewStoredFile, StoredFile } from './store.js';
export {
  ACCEPTED_MEDIA_TYPES,
  baseMediaType,
  extensionOf,
  isAcceptedMediaType,
  sniffMediaType,
  type AcceptedMediaType,
} from './media.js';
