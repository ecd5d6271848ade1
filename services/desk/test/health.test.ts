import { useTestContext } from '@samtal/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deskFixture } from './helpers.ts';

describe('desk /health', () => {
  const ctx = useTestContext();
  let fixture: Awaited<ReturnType<typeof deskFixture>>;
  beforeAll(async () => {
    fixture = await deskFixture(ctx);
  });
  afterAll(() => fixture.close());

  it('answers 200 when PostgreSQL and Redis answer', async () => {
    const res = await fixture.app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
  });
});
