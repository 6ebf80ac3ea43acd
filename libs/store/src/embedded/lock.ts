/**
 * FIFO async mutex with direct hand-off: release() passes ownership to the next waiter, so a
 * newcomer can never barge in between. `held` lets callers skip the await entirely when it is free
 * (the common case for single writes, which then run synchronously and hence atomically).
 */
export class Mutex {
  private locked = false;
  private readonly waiters: Array<() => void> = [];

  get held(): boolean {
    return this.locked;
  }

  acquire(): Promise<void> {
    if (!this.locked) {
      this.locked = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.locked = false;
  }
}
