import type { FieldProblem } from '@samtal/http';
import type { AttributeDefinition } from './catalog.ts';

export type AttributeValues = Record<string, string | string[]>;

const MAX_TEXT = 4000;

/**
 * Checks submitted attribute values against the category's definitions (Open311 semantics):
 * required ones present, list values among the allowed keys, numbers and datetimes well formed,
 * nothing the category does not define. Returns the cleaned values and every problem found.
 */
export function checkAttributes(
  definitions: AttributeDefinition[],
  submitted: Record<string, unknown>,
  field: (code: string) => string,
): { values: AttributeValues; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const values: AttributeValues = {};
  const known = new Map(definitions.filter((d) => d.variable).map((d) => [d.code, d]));

  for (const code of Object.keys(submitted)) {
    if (!known.has(code))
      problems.push({ field: field(code), message: 'is not an attribute of this service' });
  }
  for (const definition of known.values()) {
    const raw = submitted[definition.code];
    const list = (Array.isArray(raw) ? raw : raw === undefined || raw === null ? [] : [raw])
      .map((v) => (typeof v === 'number' ? String(v) : v))
      .filter((v) => v !== '');
    if (list.some((v) => typeof v !== 'string')) {
      problems.push({ field: field(definition.code), message: 'must be text or a list of text' });
      continue;
    }
    const strings = (list as string[]).map((v) => v.trim());
    if (!strings.length) {
      if (definition.required) problems.push({ field: field(definition.code), message: 'is required' });
      continue;
    }
    const problem = checkValue(definition, strings);
    if (problem) problems.push({ field: field(definition.code), message: problem });
    else values[definition.code] = definition.datatype === 'multivaluelist' ? strings : strings[0]!;
  }
  return { values, problems };
}

function checkValue(definition: AttributeDefinition, values: string[]): string | undefined {
  const { datatype } = definition;
  if (datatype !== 'multivaluelist' && values.length > 1) return 'takes one value';
  const value = values[0]!;
  switch (datatype) {
    case 'singlevaluelist':
    case 'multivaluelist': {
      const allowed = new Set(definition.values.map((v) => v.key));
      const wrong = values.find((v) => !allowed.has(v));
      if (wrong !== undefined) return `"${wrong.slice(0, 50)}" is not one of ${[...allowed].join(', ')}`;
      if (new Set(values).size !== values.length) return 'lists a value twice';
      return undefined;
    }
    case 'number':
      return /^-?\d+(\.\d+)?$/.test(value) && Number.isFinite(Number(value)) ? undefined : 'must be a number';
    case 'datetime':
      return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(value) &&
        !Number.isNaN(Date.parse(value))
        ? undefined
        : 'must be an ISO 8601 date and time with an offset';
    case 'string':
      return value.length > 500 ? 'must be at most 500 characters' : undefined;
    default:
      return value.length > MAX_TEXT ? `must be at most ${MAX_TEXT} characters` : undefined;
  }
}
