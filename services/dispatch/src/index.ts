export { buildDispatchService, type DispatchDeps, type DispatchService } from './service';
export { DispatchEnv, settingsFromEnv } from './config';
export {
  DEFAULT_SETTINGS,
  resolveSettings,
  type DispatchSettings,
  type DispatchSettingsInput,
} from './settings';
export { Dispatcher, type TickReport } from './app/dispatcher';
export {
  measureAssignment,
  type AssignmentBenchmarkOptions,
  type AssignmentBenchmarkResult,
} from './bench/measure-assignment';
export type { ClientMessage, ServerMessage, OfferView } from './http/ws-protocol';
export type { DispatchOutcome } from './app/dispatch-job';
