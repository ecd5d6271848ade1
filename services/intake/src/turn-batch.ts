/**
 * Gathers what is added during one turn of the event loop and hands it to `flush` as one batch,
 * on `setImmediate`. Under load, the requests handled in one turn then share one database
 * statement, one Redis script call or one PUBLISH; at low load a batch is a single item and
 * waits for nothing measurable.
 */
export class TurnBatch<T> {
  private items: T[] = [];
  private scheduled = false;

  constructor(private readonly flush: (items: T[]) => void) {}

  add(...items: T[]): void {
    this.items.push(...items);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const batch = this.items;
      this.items = [];
      this.flush(batch);
    });
  }
}
