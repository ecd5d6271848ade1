import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, type FieldProblem } from '../api.ts';
import { lang, languageName, languages, t } from '../i18n.ts';
import { ErrorSummary, Field, LiveRegion, TableWrap } from './common.tsx';

/**
 * One list + form for any record the staff APIs keep, driven by a description of its fields.
 * Field names are the API's own (dotted for nested members, e.g. `conditions.categories`), so the
 * `errors[].field` of a problem+json answer lands next to the control it is about.
 */
export type Row = Record<string, unknown>;
export interface Option {
  value: string;
  label: string;
}

export type FieldKind =
  | 'text'
  | 'email'
  | 'password'
  | 'textarea'
  | 'date'
  | 'number'
  | 'checkbox'
  | 'select'
  | 'multi'
  | 'list'
  | 'localised'
  | 'hours'
  | 'pairs';

export interface FieldSpec {
  name: string;
  kind: FieldKind;
  /** i18n key of the label; defaults to `admin.field.<name>`. */
  label?: string;
  hint?: string;
  required?: boolean;
  /** Empty means null (clears the value) rather than "leave out". */
  nullable?: boolean;
  /** Sent only when creating (keys, codes that name the record in its URL), or only when editing. */
  only?: 'create' | 'edit';
  options?: () => Option[];
  /** The value a new record starts with (e.g. `active: true`). */
  initial?: unknown;
}

export interface ResourceSpec {
  /** Id prefix for the form's controls, unique on the page. */
  id: string;
  title: string;
  load: (signal: AbortSignal) => Promise<Row[]>;
  /** Columns of the table: field names (shown with the field's labels and options) or computed. */
  columns: (string | { label: string; render: (row: Row) => ComponentChildren })[];
  fields: FieldSpec[];
  rowKey?: (row: Row) => string;
  rowLabel: (row: Row) => string;
  create?: (body: Row) => Promise<unknown>;
  update?: (row: Row, body: Row) => Promise<unknown>;
  /** Whether a record may still change (a closed dialogue's plan may not). */
  editable?: (row: Row) => boolean;
  /** Deleting, deactivating, revoking or archiving: the verb is `remove.label`. */
  remove?: { label: string; run: (row: Row) => Promise<unknown>; shown?: (row: Row) => boolean };
  /** What to tell after a create (e.g. an API key that is shown once). */
  created?: (result: unknown) => ComponentChildren;
  /** A panel under the table for one row (a category's attributes, a calendar's holidays). */
  detail?: { label: string; render: (row: Row, reload: () => void) => ComponentChildren };
}

const labelOf = (f: FieldSpec) => t(f.label ?? `admin.field.${f.name}`);
const weekdays = ['1', '2', '3', '4', '5', '6', '7'];

export function getPath(row: Row, path: string): unknown {
  return path.split('.').reduce<unknown>((v, k) => (v == null ? v : (v as Row)[k]), row);
}
function setPath(body: Row, path: string, value: unknown): void {
  const keys = path.split('.');
  let target = body;
  for (const k of keys.slice(0, -1)) {
    if (target[k] == null) target[k] = {};
    target = target[k] as Row;
  }
  target[keys[keys.length - 1]!] = value;
}

/** A record's value for a field, as the form control holds it. */
function toControl(f: FieldSpec, value: unknown): unknown {
  switch (f.kind) {
    case 'checkbox':
      return Boolean(value);
    case 'multi':
      return Array.isArray(value) ? value.map(String) : [];
    case 'list':
      return Array.isArray(value) ? value.join(', ') : '';
    case 'localised':
      return { ...((value as Record<string, string>) ?? {}) };
    case 'hours': {
      const hours = (value ?? {}) as Record<string, { open: string; close: string }[]>;
      return Object.fromEntries(
        weekdays.map((d) => [d, (hours[d] ?? []).map((i) => `${i.open}-${i.close}`).join(', ')]),
      );
    }
    case 'pairs': {
      const l = lang.get();
      return ((value ?? []) as { key: string; names: Record<string, string> }[])
        .map((v) => `${v.key} = ${v.names[l] ?? Object.values(v.names)[0] ?? ''}`)
        .join('\n');
    }
    default:
      return value == null ? '' : String(value);
  }
}

/** The form control's value as the API takes it; undefined leaves the field out. */
function toApi(f: FieldSpec, value: unknown, original: unknown): unknown {
  switch (f.kind) {
    case 'checkbox':
      return Boolean(value);
    case 'multi':
      return value;
    case 'list':
      return String(value)
        .split(/[,\n]/)
        .map((s) => s.trim())
        .filter(Boolean);
    case 'number': {
      const text = String(value).trim();
      if (!text) return f.nullable ? null : undefined;
      return Number(text.replace(',', '.'));
    }
    case 'localised': {
      const entries = Object.entries(value as Record<string, string>)
        .map(([k, v]) => [k, v.trim()] as const)
        .filter(([, v]) => v);
      return entries.length || f.required ? Object.fromEntries(entries) : undefined;
    }
    case 'hours': {
      const result: Record<string, { open: string; close: string }[]> = {};
      for (const [day, text] of Object.entries(value as Record<string, string>)) {
        const intervals = text
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
          .map((s) => {
            const [open = '', close = ''] = s.split(/\s*[-–]\s*/);
            return { open, close };
          });
        if (intervals.length) result[day] = intervals;
      }
      return result;
    }
    case 'pairs': {
      const l = lang.get();
      const before = new Map(
        ((original ?? []) as { key: string; names: Record<string, string> }[]).map((v) => [v.key, v.names]),
      );
      return String(value)
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean)
        .map((line) => {
          const at = line.indexOf('=');
          const key = (at < 0 ? line : line.slice(0, at)).trim();
          const label = (at < 0 ? key : line.slice(at + 1)).trim();
          return { key, names: { ...before.get(key), [l]: label } };
        });
    }
    case 'password':
      return String(value) ? value : undefined;
    default: {
      const text = String(value).trim();
      if (text) return text;
      if (f.nullable) return null;
      return f.required ? '' : undefined;
    }
  }
}

/** How a record's value reads in the table. */
export function display(f: FieldSpec | undefined, value: unknown): string {
  if (value == null || value === '') return '—';
  if (f?.options) {
    const options = f.options();
    const name = (v: unknown) => options.find((o) => o.value === String(v))?.label ?? String(v);
    return Array.isArray(value) ? value.map(name).join(', ') || '—' : name(value);
  }
  if (typeof value === 'boolean') return value ? t('common.yes') : t('common.no');
  if (Array.isArray(value)) {
    return (
      value
        .map((v) => (typeof v === 'object' && v ? String((v as Row).key ?? JSON.stringify(v)) : String(v)))
        .join(', ') || '—'
    );
  }
  if (typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (f?.kind === 'hours') {
      return (
        weekdays
          .filter((d) => Array.isArray(v[d]) && (v[d] as unknown[]).length)
          .map(
            (d) =>
              `${t(`weekday.${d}`)} ${(v[d] as { open: string; close: string }[]).map((i) => `${i.open}–${i.close}`).join(', ')}`,
          )
          .join('; ') || '—'
      );
    }
    const l = lang.get();
    if (typeof v[l] === 'string') return v[l] as string;
    const first = Object.values(v).find((x) => typeof x === 'string');
    return typeof first === 'string' ? first : JSON.stringify(value);
  }
  if (typeof value === 'string' && /^\d{4}-\d\d-\d\dT/.test(value)) {
    return new Intl.DateTimeFormat(lang.get(), { dateStyle: 'medium', timeStyle: 'short' }).format(
      new Date(value),
    );
  }
  return String(value);
}

/** Which field a problem is about: the field itself or a member of it (`names.sv`, `values.0.key`). */
function fieldFor(fields: FieldSpec[], problem: FieldProblem): FieldSpec | undefined {
  // A value that is part of the URL (a holiday's day) comes back as `params.<name>`.
  const field = problem.field.replace(/^params\./, '');
  return fields.find((f) => field === f.name || field.startsWith(`${f.name}.`));
}

function Control(props: {
  spec: FieldSpec;
  id: string;
  value: unknown;
  error: string | undefined;
  onChange: (value: unknown) => void;
}) {
  const { spec: f, id, value } = props;
  const label = labelOf(f);
  const hint = f.hint ? t(f.hint) : undefined;
  if (f.kind === 'checkbox') {
    return (
      <div class={`choice${props.error ? ' field--error' : ''}`}>
        <input
          type="checkbox"
          id={id}
          checked={Boolean(value)}
          aria-invalid={props.error ? 'true' : undefined}
          aria-describedby={props.error ? `${id}-error` : undefined}
          onChange={(e) => props.onChange(e.currentTarget.checked)}
        />
        <label for={id}>{label}</label>
        {props.error ? (
          <p class="error-text" id={`${id}-error`}>
            {props.error}
          </p>
        ) : null}
      </div>
    );
  }
  if (f.kind === 'multi' || f.kind === 'localised' || f.kind === 'hours') {
    const describedBy = [hint ? `${id}-hint` : '', props.error ? `${id}-error` : '']
      .filter(Boolean)
      .join(' ');
    let inner: ComponentChildren;
    if (f.kind === 'multi') {
      const chosen = value as string[];
      inner = (
        <div class="choices-inline">
          {(f.options?.() ?? []).map((o, i) => (
            <div class="choice" key={o.value}>
              <input
                type="checkbox"
                id={i === 0 ? id : `${id}-${i}`}
                checked={chosen.includes(o.value)}
                onChange={(e) =>
                  props.onChange(
                    e.currentTarget.checked ? [...chosen, o.value] : chosen.filter((v) => v !== o.value),
                  )
                }
              />
              <label for={i === 0 ? id : `${id}-${i}`}>{o.label}</label>
            </div>
          ))}
        </div>
      );
    } else {
      const keys = f.kind === 'hours' ? weekdays : languages;
      const texts = value as Record<string, string>;
      inner = keys.map((k, i) => (
        <div class="field field--inline" key={k}>
          <label for={i === 0 ? id : `${id}-${k}`}>
            {f.kind === 'hours' ? t(`weekday.${k}`) : languageName(k)}
          </label>
          <input
            type="text"
            id={i === 0 ? id : `${id}-${k}`}
            lang={f.kind === 'localised' ? k : undefined}
            placeholder={f.kind === 'hours' ? '08:00-16:30' : undefined}
            value={texts[k] ?? ''}
            onInput={(e) => props.onChange({ ...texts, [k]: e.currentTarget.value })}
          />
        </div>
      ));
    }
    return (
      <fieldset
        class={`field${props.error ? ' field--error' : ''}`}
        aria-describedby={describedBy || undefined}
        aria-invalid={props.error ? 'true' : undefined}
      >
        <legend>
          {label}
          {f.required ? <span class="required"> ({t('form.required')})</span> : null}
        </legend>
        {hint ? (
          <p class="hint" id={`${id}-hint`}>
            {hint}
          </p>
        ) : null}
        {props.error ? (
          <p class="error-text" id={`${id}-error`}>
            {props.error}
          </p>
        ) : null}
        {inner}
      </fieldset>
    );
  }
  return (
    <Field id={id} label={label} hint={hint} error={props.error} required={f.required}>
      {(aria) => {
        const input = (e: { currentTarget: { value: string } }) => props.onChange(e.currentTarget.value);
        if (f.kind === 'select') {
          return (
            <select {...aria} value={String(value)} onChange={input}>
              <option value="">{f.required ? t('admin.choose') : t('admin.none')}</option>
              {(f.options?.() ?? []).map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
            </select>
          );
        }
        if (f.kind === 'textarea' || f.kind === 'pairs') {
          return (
            <textarea {...aria} rows={f.kind === 'pairs' ? 4 : 6} value={String(value)} onInput={input} />
          );
        }
        const type =
          f.kind === 'number'
            ? 'text'
            : f.kind === 'list'
              ? 'text'
              : f.kind === 'password'
                ? 'password'
                : f.kind === 'email'
                  ? 'email'
                  : f.kind === 'date'
                    ? 'date'
                    : 'text';
        return (
          <input
            {...aria}
            type={type}
            inputMode={f.kind === 'number' ? 'decimal' : undefined}
            autocomplete={f.kind === 'password' ? 'new-password' : 'off'}
            value={String(value)}
            onInput={input}
          />
        );
      }}
    </Field>
  );
}

function ResourceForm(props: {
  spec: ResourceSpec;
  editing: Row | null;
  onDone: (message: string, result?: unknown) => void;
  onCancel: () => void;
}) {
  const { spec, editing } = props;
  const mode = editing ? 'edit' : 'create';
  const fields = spec.fields.filter((f) => !f.only || f.only === mode);
  const [values, setValues] = useState<Record<string, unknown>>(() =>
    Object.fromEntries(
      fields.map((f) => [f.name, toControl(f, editing ? getPath(editing, f.name) : f.initial)]),
    ),
  );
  const [failure, setFailure] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const idOf = (f: FieldSpec) => `${spec.id}-${f.name.replace(/\./g, '-')}`;
  const problems = failure instanceof ApiError ? failure.fields : [];
  const errorOf = (f: FieldSpec) =>
    problems
      .filter((p) => fieldFor(fields, p) === f)
      .map((p) => {
        const member = p.field.replace(/^params\./, '').slice(f.name.length + 1);
        return member ? `${member}: ${p.message}` : p.message;
      })
      .join('; ') || undefined;
  const fieldIds = Object.fromEntries(
    problems.flatMap((p) => {
      const f = fieldFor(fields, p);
      return f ? [[p.field, idOf(f)]] : [];
    }),
  );
  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setFailure(null);
    const body: Row = {};
    for (const f of fields) {
      const v = toApi(f, values[f.name], editing ? getPath(editing, f.name) : undefined);
      if (v !== undefined) setPath(body, f.name, v);
    }
    try {
      const result = editing ? await spec.update!(editing, body) : await spec.create!(body);
      props.onDone(editing ? t('admin.saved') : t('admin.added'), result);
    } catch (error) {
      setFailure(error);
    } finally {
      setBusy(false);
    }
  }
  const heading = editing
    ? t('admin.editing', { name: spec.rowLabel(editing) })
    : t('admin.adding', { what: spec.title });
  return (
    <form onSubmit={submit} class="resource-form" aria-labelledby={`${spec.id}-form-heading`} noValidate>
      <h3 id={`${spec.id}-form-heading`} tabIndex={-1}>
        {heading}
      </h3>
      <ErrorSummary error={failure} fieldIds={fieldIds} />
      {fields.map((f) => (
        <Control
          key={f.name}
          spec={f}
          id={idOf(f)}
          value={values[f.name]}
          error={errorOf(f)}
          onChange={(v) => setValues((prev) => ({ ...prev, [f.name]: v }))}
        />
      ))}
      <div class="actions">
        <button type="submit" disabled={busy}>
          {editing ? t('admin.save') : t('admin.add')}
        </button>
        {editing ? (
          <button type="button" class="secondary" onClick={props.onCancel}>
            {t('admin.cancel')}
          </button>
        ) : null}
      </div>
    </form>
  );
}

/** The list of records with edit / remove buttons, and the form to add or change one. */
export function ResourceEditor(props: { spec: ResourceSpec; rows: Row[]; reload: () => void }) {
  const { spec } = props;
  const key = spec.rowKey ?? ((r: Row) => String(r.id));
  const [editing, setEditing] = useState<Row | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [note, setNote] = useState('');
  const [created, setCreated] = useState<ComponentChildren>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const [formKey, setFormKey] = useState(0);
  const formRef = useRef<HTMLDivElement>(null);
  const byName = new Map(spec.fields.map((f) => [f.name, f]));
  // The confirm button replaces the one pressed; keyboard focus goes with it.
  useEffect(() => {
    if (confirming) document.getElementById(`${spec.id}-confirm`)?.focus();
  }, [confirming]);

  function edit(row: Row) {
    setEditing(row);
    setFormKey((n) => n + 1);
    queueMicrotask(() => formRef.current?.querySelector<HTMLElement>('h3')?.focus());
  }
  async function remove(row: Row) {
    setFailure(null);
    try {
      await spec.remove!.run(row);
      setConfirming(null);
      setNote(t('admin.removed', { name: spec.rowLabel(row) }));
      if (editing && key(editing) === key(row)) setEditing(null);
      props.reload();
    } catch (error) {
      setFailure(error);
    }
  }
  const openRow = open ? props.rows.find((r) => key(r) === open) : undefined;
  return (
    <>
      <ErrorSummary error={failure} />
      {created ? (
        <div class="notice notice--ok" role="status">
          {created}
        </div>
      ) : null}
      {props.rows.length ? (
        <TableWrap label={spec.title}>
          <table>
            <caption class="visually-hidden">{spec.title}</caption>
            <thead>
              <tr>
                {spec.columns.map((c) => (
                  <th scope="col" key={typeof c === 'string' ? c : c.label}>
                    {typeof c === 'string' ? labelOf(byName.get(c) ?? { name: c, kind: 'text' }) : c.label}
                  </th>
                ))}
                <th scope="col">{t('admin.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {props.rows.map((r) => {
                const k = key(r);
                const name = spec.rowLabel(r);
                return (
                  <tr key={k}>
                    {spec.columns.map((c) => (
                      <td key={typeof c === 'string' ? c : c.label}>
                        {typeof c === 'string' ? display(byName.get(c), getPath(r, c)) : c.render(r)}
                      </td>
                    ))}
                    <td class="row-actions">
                      {spec.update && (spec.editable?.(r) ?? true) ? (
                        <button type="button" class="link" onClick={() => edit(r)}>
                          {t('admin.edit')}
                          <span class="visually-hidden"> {name}</span>
                        </button>
                      ) : null}
                      {spec.detail ? (
                        <button
                          type="button"
                          class="link"
                          aria-expanded={open === k}
                          onClick={() => setOpen(open === k ? null : k)}
                        >
                          {spec.detail.label}
                          <span class="visually-hidden"> {name}</span>
                        </button>
                      ) : null}
                      {spec.remove && (spec.remove.shown?.(r) ?? true) ? (
                        confirming === k ? (
                          <span>
                            <button
                              type="button"
                              id={`${spec.id}-confirm`}
                              class="danger"
                              onClick={() => void remove(r)}
                            >
                              {t('admin.confirm', { action: spec.remove.label, name })}
                            </button>{' '}
                            <button type="button" class="link" onClick={() => setConfirming(null)}>
                              {t('admin.cancel')}
                            </button>
                          </span>
                        ) : (
                          <button type="button" class="link" onClick={() => setConfirming(k)}>
                            {spec.remove.label}
                            <span class="visually-hidden"> {name}</span>
                          </button>
                        )
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </TableWrap>
      ) : (
        <p>{t('admin.empty')}</p>
      )}
      {spec.detail && openRow ? (
        <section class="detail-panel" aria-label={`${spec.detail.label}: ${spec.rowLabel(openRow)}`}>
          {spec.detail.render(openRow, props.reload)}
        </section>
      ) : null}
      {spec.create || editing ? (
        <div ref={formRef}>
          <ResourceForm
            key={`${formKey}-${editing ? key(editing) : 'new'}`}
            spec={spec}
            editing={editing}
            onCancel={() => setEditing(null)}
            onDone={(message, result) => {
              setNote(message);
              setCreated(!editing && spec.created ? spec.created(result) : null);
              setEditing(null);
              setFormKey((n) => n + 1);
              props.reload();
            }}
          />
        </div>
      ) : null}
      <LiveRegion message={note} />
    </>
  );
}
