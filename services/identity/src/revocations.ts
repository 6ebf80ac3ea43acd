// Moved to the kit: every service feeds its revocation list from identity's events the same way.
export {
  REVOCATION_TOPIC,
  subscribeRevocations,
  applyRevocationMessage,
  type RevocationSubscriptionOptions,
} from '@omni/kit';
