import type postgres from 'postgres';

/** A case event as the desk delivers it: the event and the case's current scope (never demographics). */
export interface LiveEvent {
  id: number;
  tenantId: string;
  caseId: string;
  type: string;
  actorKind: string;
  actorId: string | null;
  visibility: string;
  data: Record<string, unknown>;
  createdAt: string;
  case: {
    trackingCode: string;
    status: string;
    priority: string;
    categoryId: string;
    leadDepartmentId: string | null;
    assistingDepartmentIds: string[];
    claimedBy: string | null;
    sensitive: boolean;
  };
}

type Row = Record<string, unknown>;

// Defensive: demographic answers never travel to the desk, whatever an event's payload carries.
const withoutDemographics = (data: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(data ?? {}).filter(([key]) => !/demographic/i.test(key)));

export function toLiveEvent(r: Row): LiveEvent {
  return {
    id: Number(r.id),
    tenantId: r.tenant_id as string,
    caseId: r.case_id as string,
    type: r.type as string,
    actorKind: r.actor_kind as string,
    actorId: (r.actor_id as string | null) ?? null,
    visibility: r.visibility as string,
    data: withoutDemographics(r.data as Record<string, unknown>),
    createdAt: new Date(r.created_at as string).toISOString(),
    case: {
      trackingCode: r.tracking_code as string,
      status: r.status as string,
      priority: r.priority as string,
      categoryId: r.category_id as string,
      leadDepartmentId: (r.lead_department_id as string | null) ?? null,
      assistingDepartmentIds: (r.assisting as string[] | null) ?? [],
      claimedBy: (r.claimed_by as string | null) ?? null,
      sensitive: r.sensitive as boolean,
    },
  };
}

/** Reads events with their case's current scope; `where` narrows by id range (and tenant). */
export function selectLiveEvents(
  sql: postgres.Sql,
  where: postgres.PendingQuery<postgres.Row[]>,
  limit = 1_000_000,
) {
  return sql`
    select e.id, e.tenant_id, e.case_id, e.type, e.actor_kind, e.actor_id, e.visibility, e.data, e.created_at,
           c.tracking_code, c.status, c.priority, c.category_id, c.lead_department_id, c.claimed_by, c.sensitive,
           array(select d.department_id from case_assisting_departments d
                  where d.tenant_id = c.tenant_id and d.case_id = c.id) as assisting
    from case_events e
    join cases c on c.tenant_id = e.tenant_id and c.id = e.case_id
    where ${where}
    order by e.id
    limit ${limit}`;
}

export interface EventTailOptions {
  sql: postgres.Sql;
  /** Called in id order with every event up to the new horizon. */
  deliver: (events: LiveEvent[], horizon: number) => void;
  /** Longest wait for a transaction that may still commit an earlier id (then deliver anyway). */
  maxWaitMs?: number;
  pageSize?: number;
  onWarning?: (message: string, details: Record<string, unknown>) => void;
}

/**
 * Follows `case_events` in id order and moves a *safe horizon*: every event with an id at or below
 * it is committed or never will be. Ids come from a sequence, so a transaction can take id 10,
 * another take 11 and commit first; delivering 11 and later 10 would let a client that resumes
 * from 11 miss 10. So after reading up to id M, the tail waits until every writer that was in
 * progress at that snapshot and holds a lock on `case_events` (only those can hold an id below M)
 * has ended, reads (horizon, M] again, and delivers that.
 */
export class EventTail {
  private horizon = 0;
  private pending: { maxId: number; blockers: string[]; since: number } | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(private readonly options: EventTailOptions) {}

  /** Every event at or below this id has been delivered (or was there before the desk started). */
  get cursor(): number {
    return this.horizon;
  }

  async start(): Promise<void> {
    const { sql } = this.options;
    const [row] = await sql`
      select (select coalesce(max(id), 0) from case_events) as max_id,
             array(select x::text from pg_snapshot_xip(pg_current_snapshot()) x) as xip`;
    const maxId = Number(row!.max_id);
    let blockers = row!.xip as string[];
    const since = Date.now();
    while (blockers.length && Date.now() - since < (this.options.maxWaitMs ?? 5000)) {
      blockers = await this.writersInProgress(blockers);
      if (blockers.length) await new Promise((r) => setTimeout(r, 20));
    }
    this.horizon = maxId;
  }

  stop(): Promise<void> | undefined {
    this.stopped = true;
    return this.running;
  }

  /** Catches up with the database; calls coalesce (one run at a time, one more if asked meanwhile). */
  poll(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          for (let step = await this.step(); step !== 'idle' && !this.stopped; step = await this.step()) {
            if (step === 'wait') await new Promise((r) => setTimeout(r, 10));
          }
        } while (this.again && !this.stopped);
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  /**
   * The writers among `xids` that a new snapshot still counts as running and that hold a lock on
   * `case_events`. Asked of the snapshot, not of the commit log: a transaction is marked committed
   * in the commit log a moment before it leaves the snapshot's running list, and in that moment a
   * fresh read would still not see its rows — the horizon would pass over an event never delivered.
   */
  private async writersInProgress(xids: string[]): Promise<string[]> {
    if (!xids.length) return [];
    const rows = await this.options.sql`
      select x::text as xid from unnest(${xids}::text[]) as s(t), lateral (select t::xid8 as x) v
      where x = any(array(select pg_snapshot_xip(pg_current_snapshot())))
        and exists (
          select 1 from pg_locks tx join pg_locks rel on rel.pid = tx.pid
          where tx.locktype = 'transactionid'
            and tx.transactionid::text = (x::text::numeric % 4294967296)::text
            and rel.locktype = 'relation' and rel.granted
            and rel.database = (select oid from pg_database where datname = current_database())
            and rel.relation = 'case_events'::regclass and rel.mode = 'RowExclusiveLock')`;
    return rows.map((r) => r.xid as string);
  }

  private async step(): Promise<'idle' | 'more' | 'wait'> {
    const { sql } = this.options;
    if (this.pending) {
      const pending = this.pending;
      const blockers = await this.writersInProgress(pending.blockers);
      if (blockers.length && Date.now() - pending.since < (this.options.maxWaitMs ?? 5000)) {
        pending.blockers = blockers;
        return 'wait';
      }
      if (blockers.length) {
        this.options.onWarning?.('live: delivered past writers still in progress', {
          horizon: pending.maxId,
          blockers,
        });
      }
      const rows = await selectLiveEvents(sql, sql`e.id > ${this.horizon} and e.id <= ${pending.maxId}`);
      this.pending = undefined;
      this.advance(rows.map(toLiveEvent), pending.maxId);
      return 'more';
    }
    const pageSize = this.options.pageSize ?? 500;
    const [ids] = await sql`
      select array(select id::text from case_events where id > ${this.horizon} order by id limit ${pageSize}) as ids,
             array(select x::text from pg_snapshot_xip(pg_current_snapshot()) x) as xip`;
    const found = (ids!.ids as string[]).map(Number);
    if (!found.length) return 'idle';
    const maxId = found[found.length - 1]!;
    this.pending = { maxId, blockers: ids!.xip as string[], since: Date.now() };
    return 'more';
  }

  private advance(events: LiveEvent[], horizon: number) {
    this.horizon = horizon;
    this.options.deliver(events, horizon);
  }
}
