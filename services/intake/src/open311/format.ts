import { XMLBuilder } from 'fast-xml-parser';
import type { FastifyReply } from 'fastify';

export type Format = 'json' | 'xml';

const builder = new XMLBuilder({ ignoreAttributes: true, format: false, suppressEmptyNode: false });

type Scalar = string | number | boolean | null | undefined;
export type XmlValue = Scalar | XmlValue[] | { [key: string]: XmlValue };

function clean(value: XmlValue): XmlValue {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map(clean);
  if (typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, clean(v)]));
  return typeof value === 'boolean' ? String(value) : value;
}

/** An XML document per GeoReport v2: `<root><item>…</item>…</root>`, nulls as empty elements. */
export function toXml(root: string, item: string | null, value: XmlValue): string {
  const body = item === null ? { [root]: clean(value) } : { [root]: { [item]: clean(value) } };
  return `<?xml version="1.0" encoding="utf-8"?>${builder.build(body)}`;
}

/** Sends `json` as JSON, or as XML wrapped in `root` / `item` elements. */
export function send(
  reply: FastifyReply,
  format: Format,
  status: number,
  json: unknown,
  xml: { root: string; item: string | null; value?: XmlValue },
): FastifyReply {
  reply.code(status);
  if (format === 'xml') {
    return reply
      .type('text/xml; charset=utf-8')
      .send(toXml(xml.root, xml.item, xml.value ?? (json as XmlValue)));
  }
  return reply.type('application/json; charset=utf-8').send(JSON.stringify(json));
}

/** The spec's error body: a list of `{code, description}`. */
export function sendErrors(
  reply: FastifyReply,
  format: Format,
  status: number,
  description: string,
): FastifyReply {
  const errors = [{ code: status, description }];
  return send(reply, format, status, errors, { root: 'errors', item: 'error', value: errors });
}

export function formatOf(url: string): Format {
  return /\.xml(\?|$)/.test(url) ? 'xml' : 'json';
}
