/** A gate the training loop waits at after each step: open runs on, closed holds it until opened. */
export class PauseGate {
  private waiting: Promise<void> | null = null;
  private release: (() => void) | null = null;

  get paused(): boolean {
    return this.waiting !== null;
  }

  close(): void {
    if (this.waiting) return;
    this.waiting = new Promise((resolve) => (this.release = resolve));
  }

  open(): void {
    this.release?.();
    this.waiting = null;
    this.release = null;
  }

  /** Resolves at once when open, else when next opened. */
  wait(): Promise<void> {
    return this.waiting ?? Promise.resolve();
  }
}
