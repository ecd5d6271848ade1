import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { App } from '@samtal/http';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';

/** OpenAPI 3.1 generated from the routes' zod schemas, at /docs/json, with an interactive page at /docs. */
export async function registerDocs(app: App): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Samtal intake API',
        version: '1.0.0',
        description:
          'The residents’ single point of entry: submit and follow inquiries, answer, rate, and Open311 GeoReport v2. ' +
          'Name the municipality with the X-Samtal-Tenant header (optional where a deployment serves one). ' +
          'Errors are RFC 9457 problem+json with a requestId; Open311 errors use the GeoReport format [{code, description}].',
      },
      tags: [
        { name: 'inquiries', description: 'Residents’ inquiries (web, chat, app, agents)' },
        { name: 'open311', description: 'GeoReport v2 (http://wiki.open311.org/GeoReport_v2)' },
        { name: 'operations', description: 'Health' },
      ],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
}
