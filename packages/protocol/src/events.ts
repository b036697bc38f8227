/**
 * A minimal typed event: `emitter.event(listener)` (a Listenable) subscribes
 * and returns a Disposable. Connections surface transport trouble this way (onError,
 * onClose, onNotification) instead of throwing into unrelated callers.
 */
export interface Disposable {
  dispose(): void;
}

export type Listenable<T> = (listener: (e: T) => void) => Disposable;

export class Emitter<T> {
  private listeners: Set<(e: T) => void> | null = new Set();

  readonly event: Listenable<T> = (listener) => {
    const set = this.listeners;
    if (set === null) return { dispose: () => {} };
    set.add(listener);
    return { dispose: () => set.delete(listener) };
  };

  get hasListeners(): boolean {
    return this.listeners !== null && this.listeners.size > 0;
  }

  /**
   * Calls every listener. A listener that throws does not stop the others or
   * the caller (a connection's read loop); its error is rethrown on a later
   * tick, where it surfaces as an uncaught exception as it would from any
   * Node event listener.
   */
  fire(e: T): void {
    if (this.listeners === null) return;
    for (const l of [...this.listeners]) {
      try {
        l(e);
      } catch (err) {
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }

  /** Drops every listener; later subscriptions are ignored. */
  dispose(): void {
    this.listeners = null;
  }
}
