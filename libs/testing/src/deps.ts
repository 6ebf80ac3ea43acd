import { createEmbeddedStore, type DocumentStore, type FaultOptions } from '@omni/store';
import { createEmbeddedBus, type EventBus } from '@omni/events';
import { TestTokenIssuer } from './issuer';

export interface TestDeps {
  store: DocumentStore;
  bus: EventBus;
  issuer: TestTokenIssuer;
  auth: TestTokenIssuer['authOptions'];
}

/**
 * What a service needs to run in a test: a memory store of its own, an embedded bus (pass one to
 * share it between services, as the embedded runtime does) and a token issuer. `storeFaults` makes
 * the store unkind (write conflicts at a rate, outages), as MongoDB is in production.
 */
export async function createTestDeps(
  shared: { bus?: EventBus; issuer?: TestTokenIssuer; storeFaults?: FaultOptions } = {},
): Promise<TestDeps> {
  const issuer = shared.issuer ?? (await TestTokenIssuer.create());
  return {
    store: createEmbeddedStore(shared.storeFaults ? { faults: shared.storeFaults } : {}),
    bus: shared.bus ?? createEmbeddedBus({ retryDelayMs: 50 }),
    issuer,
    auth: issuer.authOptions,
  };
}
