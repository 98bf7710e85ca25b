/**
 * Readiness as an object passed around, not a global: ready only once the program says so, and never
 * again after shutdown begins. Liveness stays true while draining.
 */
export class Health {
  #ready = false;
  #draining = false;
  #reason = 'starting';

  markReady(): void {
    if (this.#draining) return;
    this.#ready = true;
    this.#reason = 'ready';
  }

  /** Back to not-ready without shutting down, e.g. while a dependency is down. */
  markNotReady(reason: string): void {
    this.#ready = false;
    if (!this.#draining) this.#reason = reason;
  }

  markDraining(): void {
    this.#draining = true;
    this.#ready = false;
    this.#reason = 'shutting down';
  }

  get ready(): boolean {
    return this.#ready;
  }

  get draining(): boolean {
    return this.#draining;
  }

  get reason(): string {
    return this.#reason;
  }
}
