import type { OutboxRelay } from '@samtal/cases';
import type { DbHandle } from '@samtal/db';
import type { Redis } from 'ioredis';
import type { Announcements } from './announcements.ts';
import type { CatalogCache } from './catalog.ts';
import type { InquiryWriter } from './inquiries/writer.ts';
import type { Storage } from './storage.ts';
import type { TenantDirectory } from './tenants.ts';

/** What the intake routes share: connections, caches and the outbox relay. */
export interface IntakeContext {
  db: DbHandle;
  /** Writes new inquiries, those submitted at the same moment in one statement. */
  writer: InquiryWriter;
  tenants: TenantDirectory;
  catalog: CatalogCache;
  storage: Storage;
  relay: OutboxRelay;
  /** Announces committed case events to the desks; fails fast while Redis is down. */
  announcer: Redis;
  /** New inquiries' events, announced in batches on `announcer`. */
  announcements: Announcements;
  prefix: string;
}
