import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { App } from '@samtal/http';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';

/** OpenAPI from the routes' zod schemas (every metric's definition is in its description), UI at /docs. */
export async function registerDocs(app: App): Promise<void> {
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Samtal insights',
        version: '1.0.0',
        description: [
          'Indicators for managers: availability, equity, dialogue reach, partner comparison, exports and a live wallboard.',
          '',
          'Authentication: the `samtal_session` cookie of a staff session with the manager, supervisor or admin role.',
          'Every answer is scoped to that staff member’s municipality.',
          '',
          'Privacy: counts below the municipality’s k (default 5) are suppressed, and so is the next smallest cell where',
          'one hidden cell could be recovered from a total (secondary suppression). A suppressed cell reads',
          '`{"suppressed": true}` in JSON and `suppressed` in CSV — never 0. No endpoint returns an individual’s demographics.',
          '',
          'Periods are whole local days in the municipality’s time zone; business minutes use its default business calendar.',
        ].join('\n'),
      },
      components: {
        securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'samtal_session' } },
      },
      security: [{ session: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
}
