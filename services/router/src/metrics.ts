import { type Database, schema } from '@samtal/db';
import { departmentQueueName, openQueue, type QueueContext, queueNames } from '@samtal/queue';
import type { Queue } from 'bullmq';
import { eq } from 'drizzle-orm';

const states = [
  'waiting',
  'active',
  'delayed',
  'prioritized',
  'waiting-children',
  'failed',
  'completed',
] as const;

/** Jobs each worker finished, by outcome, since the process started. */
export class JobCounters {
  private readonly counts = new Map<string, number>();

  count(queue: string, result: 'completed' | 'failed'): void {
    const key = `${queue}\u0000${result}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  entries(): { queue: string; result: string; value: number }[] {
    return [...this.counts].map(([key, value]) => {
      const [queue, result] = key.split('\u0000') as [string, string];
      return { queue, result, value };
    });
  }
}

const label = (value: string) => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/**
 * Prometheus text exposition: the depth of every router queue and of every active department's
 * queue (by state), and the jobs this process has completed or failed.
 */
export class QueueMetrics {
  private readonly queues = new Map<string, Queue>();

  constructor(
    private readonly ctx: QueueContext,
    private readonly db: Database,
    private readonly counters: JobCounters,
  ) {}

  private queue(name: string): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = openQueue(this.ctx, name);
      queue.on('error', () => {});
      this.queues.set(name, queue);
    }
    return queue;
  }

  async render(): Promise<string> {
    const departments = await this.db
      .select({ id: schema.departments.id })
      .from(schema.departments)
      .where(eq(schema.departments.active, true));
    const names = [
      queueNames.routing,
      queueNames.clocks,
      queueNames.sla,
      queueNames.notifications,
      ...departments.map((d) => departmentQueueName(d.id)),
    ];
    const depths = await Promise.all(
      names.map(async (name) => [name, await this.queue(name).getJobCounts(...states)] as const),
    );
    const lines = [
      '# HELP samtal_queue_jobs Jobs in a queue, by state.',
      '# TYPE samtal_queue_jobs gauge',
      ...depths.flatMap(([name, counts]) =>
        states.map(
          (state) => `samtal_queue_jobs{queue="${label(name)}",state="${state}"} ${counts[state] ?? 0}`,
        ),
      ),
      '# HELP samtal_router_jobs_total Jobs this router process finished, by queue and result.',
      '# TYPE samtal_router_jobs_total counter',
      ...this.counters
        .entries()
        .map((e) => `samtal_router_jobs_total{queue="${label(e.queue)}",result="${e.result}"} ${e.value}`),
    ];
    return `${lines.join('\n')}\n`;
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
  }
}
