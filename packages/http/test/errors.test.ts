import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConflictProblem, createServer } from '../src/index.ts';

async function app() {
  const server = await createServer();
  server.post(
    '/things',
    {
      schema: {
        body: z.object({ name: z.string().min(1), location: z.object({ lat: z.number().min(-90).max(90) }) }),
      },
    },
    async (request) => ({ ok: request.body.name }),
  );
  server.get('/boom', async () => {
    throw new Error('secret internal detail');
  });
  server.get('/taken', async () => {
    throw new ConflictProblem('Already claimed by Anna', { claimedBy: 'Anna' });
  });
  return server;
}

describe('problem+json errors', () => {
  it('names the invalid field, nested with dots', async () => {
    const res = await (await app()).inject({
      method: 'POST',
      url: '/things',
      payload: { name: '', location: { lat: 91 } },
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    const body = res.json();
    expect(body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['location.lat', 'name']);
    expect(body.requestId).toBe(res.headers['x-request-id']);
  });

  it('answers malformed JSON and a wrong content type with 4xx problems', async () => {
    const server = await app();
    const malformed = await server.inject({
      method: 'POST',
      url: '/things',
      headers: { 'content-type': 'application/json' },
      payload: '{"name": ',
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().title).toBe('Invalid request');
    const wrongType = await server.inject({
      method: 'POST',
      url: '/things',
      headers: { 'content-type': 'text/csv' },
      payload: 'a,b',
    });
    expect(wrongType.statusCode).toBe(415);
    expect(wrongType.json().errors[0].field).toBe('content-type');
  });

  it('hides the message of a 5xx and keeps extra members of a typed problem', async () => {
    const server = await app();
    const boom = await server.inject({ method: 'GET', url: '/boom' });
    expect(boom.statusCode).toBe(500);
    expect(boom.body).not.toContain('secret');
    const taken = await server.inject({ method: 'GET', url: '/taken' });
    expect(taken.json()).toMatchObject({ status: 409, detail: 'Already claimed by Anna', claimedBy: 'Anna' });
  });
});
