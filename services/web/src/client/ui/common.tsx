import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, type FieldProblem } from '../api.ts';
import { t } from '../i18n.ts';

/** A labelled form control with its hint and error wired up for assistive technology. */
export function Field(props: {
  id: string;
  label: string;
  hint?: string | undefined;
  error?: string | undefined;
  required?: boolean | undefined;
  children: (aria: { id: string; 'aria-describedby'?: string; 'aria-invalid'?: 'true' }) => ComponentChildren;
}) {
  const describedBy = [props.hint ? `${props.id}-hint` : '', props.error ? `${props.id}-error` : '']
    .filter(Boolean)
    .join(' ');
  return (
    <div class={`field${props.error ? ' field--error' : ''}`}>
      <label for={props.id}>
        {props.label}
        {props.required ? <span class="required"> ({t('form.required')})</span> : null}
      </label>
      {props.hint ? (
        <p class="hint" id={`${props.id}-hint`}>
          {props.hint}
        </p>
      ) : null}
      {props.error ? (
        <p class="error-text" id={`${props.id}-error`}>
          {props.error}
        </p>
      ) : null}
      {props.children({
        id: props.id,
        ...(describedBy ? { 'aria-describedby': describedBy } : {}),
        ...(props.error ? { 'aria-invalid': 'true' as const } : {}),
      })}
    </div>
  );
}

/** Problems from a failed request: a focused summary with links to the fields. */
export function ErrorSummary(props: { error: unknown; fieldIds?: Record<string, string> }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (props.error) ref.current?.focus();
  }, [props.error]);
  if (!props.error) return null;
  const error = props.error;
  const fields: FieldProblem[] = error instanceof ApiError ? error.fields : [];
  return (
    <div class="notice notice--error" role="alert" tabIndex={-1} ref={ref}>
      <h2>{t('error.title')}</h2>
      <p>{describeError(error)}</p>
      {fields.length ? (
        <ul>
          {fields.map((f) => {
            const target = props.fieldIds?.[f.field];
            return (
              <li key={f.field}>
                {target ? (
                  <a href={`#${target}`}>{`${f.field}: ${f.message}`}</a>
                ) : (
                  `${f.field}: ${f.message}`
                )}
              </li>
            );
          })}
        </ul>
      ) : null}
      {error instanceof ApiError && error.requestId ? (
        <p class="hint">{t('error.requestId', { id: error.requestId })}</p>
      ) : null}
    </div>
  );
}

export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 0) return t('error.network');
    if (error.status === 401) return t('error.signIn');
    if (error.status === 403) return t('error.forbidden');
    if (error.status === 404) return t('error.notFound');
    if (error.status === 429) return t('error.rateLimited');
    if (error.status >= 500) return t('error.server');
    return error.message;
  }
  return t('error.unknown');
}

/** Loads data for a page; `reload` runs it again. */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]) {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const controller = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    // A superseded load (new deps, unmounted) must not overwrite the state of the current one.
    load(controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setState({ data, loading: false });
      },
      (error) => {
        if (!controller.signal.aborted && (error as Error).name !== 'AbortError')
          setState({ error, loading: false });
      },
    );
    return () => controller.abort();
  }, [...deps, tick]);
  return { ...state, reload: () => setTick((n) => n + 1) };
}

export function Loading(props: { what?: string }) {
  return (
    <p class="loading" role="status">
      {props.what ?? t('common.loading')}
    </p>
  );
}

/** A polite live region: screen readers announce what changes in it. */
export function LiveRegion(props: { message: string }) {
  return (
    <p class="visually-hidden" role="status" aria-live="polite">
      {props.message}
    </p>
  );
}

export function Unavailable(props: { error: unknown; what: string }) {
  return (
    <div class="notice notice--warning" role="status">
      <p>
        <strong>{props.what}</strong> — {describeError(props.error)}
      </p>
    </div>
  );
}

/** A horizontally scrollable table, reachable by keyboard so it can be scrolled without a mouse. */
export function TableWrap(props: { label: string; children: ComponentChildren }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be focusable to scroll by keyboard
    <section class="table-wrap" aria-label={props.label} tabIndex={0}>
      {props.children}
    </section>
  );
}
