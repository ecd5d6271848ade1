import { OutboxRelay, type OutboxRelayOptions, type OutboxRow } from '@samtal/cases';

/**
 * The outbox relay of the intake service. Its fast path does not hold the request: rows committed
 * by requests in the same tick are published together in the background (one `sent_at` update
 * for the batch instead of one per request), and whatever that misses the sweep publishes.
 */
export class IntakeRelay extends OutboxRelay {
  private pending: OutboxRow[] = [];
  private scheduled = false;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(options: OutboxRelayOptions) {
    super(options);
  }

  override publish(rows: OutboxRow[]): Promise<void> {
    if (!rows.length) return Promise.resolve();
    this.pending.push(...rows);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
    return Promise.resolve();
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = [];
    if (!batch.length) return;
    const publishing = super.publish(batch).finally(() => this.inFlight.delete(publishing));
    this.inFlight.add(publishing);
  }

  /** Resolves when every fast-path publish started so far has finished (tests, shutdown). */
  async settled(): Promise<void> {
    this.flush();
    await Promise.all([...this.inFlight]);
  }

  override async stop(): Promise<void> {
    await this.settled();
    await super.stop();
  }
}
