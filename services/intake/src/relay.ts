import { OutboxRelay, type OutboxRelayOptions, type OutboxRow } from '@samtal/cases';

export interface IntakeRelayOptions extends OutboxRelayOptions {
  /**
   * How long the fast path gathers committed rows before publishing them together. Nothing waits
   * for it but the router, so a few milliseconds buy batches of many rows (one BullMQ write and
   * one `sent_at` update each) at the cost of a few milliseconds of routing delay.
   */
  batchMs?: number;
}

/**
 * The outbox relay of the intake service. Its fast path does not hold the request: rows committed
 * by requests within `batchMs` are published together in the background, and whatever that misses
 * the sweep publishes.
 */
export class IntakeRelay extends OutboxRelay {
  private pending: OutboxRow[] = [];
  private batchTimer: NodeJS.Timeout | undefined;
  private readonly batchMs: number;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(options: IntakeRelayOptions) {
    super(options);
    this.batchMs = options.batchMs ?? 5;
  }

  override publish(rows: OutboxRow[]): Promise<void> {
    if (!rows.length) return Promise.resolve();
    this.pending.push(...rows);
    this.batchTimer ??= setTimeout(() => this.flush(), this.batchMs);
    return Promise.resolve();
  }

  private flush(): void {
    clearTimeout(this.batchTimer);
    this.batchTimer = undefined;
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
