import type { DestinationStream, LevelWithSilent } from 'pino';
import type { DocumentStore } from '@omni/store';
import type { EventBus } from '@omni/events';
import type { AdmissionOptions } from './admission';
import type { Authenticator, AuthenticatorOptions } from './auth';

export interface ServiceOptions {
  name: string;
  version?: string;
  description?: string;
  http?: { host?: string; port?: number };
  /** gRPC listener; `false` for a service without gRPC. */
  grpc?: { host?: string; port?: number } | false;
  store: DocumentStore;
  bus: EventBus;
  /** Close the store/bus on stop (false when shared, e.g. the embedded runtime's single bus). */
  ownsStore?: boolean;
  ownsBus?: boolean;
  auth: AuthenticatorOptions | Authenticator;
  logLevel?: LevelWithSilent;
  logDestination?: DestinationStream;
  bodyLimit?: number;
  shutdownTimeoutMs?: number;
  /** A consumer handler or relay round in flight this long, or pending events untouched this long, is dead (/livez). Default 120 s. */
  livenessStallMs?: number;
  /** Overload admission at the HTTP edge (admission.ts); defaults from the environment. */
  admission?: AdmissionOptions;
}

/**
 * What every service's build function takes; services extend it with their own settings. The
 * embedded runtime, the standalone main.ts and the tests all build services from these.
 */
export interface ServiceDeps {
  /** The service's own store (never shared with another service). */
  store: DocumentStore;
  bus: EventBus;
  auth: AuthenticatorOptions | Authenticator;
  http?: { host?: string; port?: number };
  logLevel?: LevelWithSilent;
  logDestination?: DestinationStream;
  /** False when the bus (or store) is shared, as in the embedded runtime; default true. */
  ownsBus?: boolean;
  ownsStore?: boolean;
  /** Time source (tests move it instead of sleeping). Default: the system clock. */
  clock?: () => Date;
  /** Overload admission at the HTTP edge; default from OMNI_ADMISSION_* (admission.ts). */
  admission?: AdmissionOptions;
}

/** ServiceDeps of a service that also serves gRPC (`false` to run without the listener). */
export interface GrpcServiceDeps extends ServiceDeps {
  grpc?: { host?: string; port?: number } | false;
}

/**
 * The service options a build function forwards from its deps: one place, so no service forgets
 * one (a copy per service had already dropped logDestination in one of them).
 */
export function serviceOptionsFrom(deps: GrpcServiceDeps): Omit<ServiceOptions, 'name'> {
  const { store, bus, auth, http, grpc, logLevel, logDestination, ownsBus, ownsStore, admission } = deps;
  return { store, bus, auth, http, grpc, logLevel, logDestination, ownsBus, ownsStore, admission };
}
