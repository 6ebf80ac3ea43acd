export * from './port';
export * from './errors';
export { newId, idTime } from './ids';
export {
  openJournal,
  JournalCorruptError,
  JournalClosedError,
  type Journal,
  type JournalOptions,
} from './journal';
