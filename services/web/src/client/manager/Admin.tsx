import { useState } from 'preact/hooks';
import { call } from '../api.ts';
import { SignedInAs, StaffOnly } from '../desk/SignIn.tsx';
import { lang, t } from '../i18n.ts';
import { pathOf, route } from '../router.ts';
import { useSignal } from '../state.ts';
import { ErrorSummary, Field, LiveRegion, Loading, TableWrap, Unavailable, useLoad } from '../ui/common.tsx';

/** The desk's admin API (services/desk routes/admin/*.ts), one section per resource. */
const SECTIONS = [
  { key: 'categories', path: '/v1/admin/categories' },
  { key: 'departments', path: '/v1/admin/departments' },
  { key: 'routing', path: '/v1/admin/routing-rules' },
  { key: 'sla', path: '/v1/admin/sla-policies' },
  { key: 'calendars', path: '/v1/admin/calendars' },
  { key: 'staff', path: '/v1/admin/staff' },
  { key: 'knowledge', path: '/v1/knowledge/articles' },
] as const;

type Row = Record<string, unknown>;

function display(value: unknown): string {
  if (value == null) return '—';
  if (Array.isArray(value)) return value.map(display).join(', ');
  if (typeof value === 'object') {
    const v = value as Record<string, unknown>;
    // Localised texts: show the reader's language.
    if (typeof v[lang.get()] === 'string') return v[lang.get()] as string;
    return JSON.stringify(value);
  }
  return String(value);
}

function ResourceTable(props: { rows: Row[] }) {
  if (!props.rows.length) return <p>{t('admin.empty')}</p>;
  const columns = Object.keys(props.rows[0]!).filter((k) => k !== 'id' && k !== 'tenantId');
  return (
    <TableWrap label={t('admin.table')}>
      <table>
        <thead>
          <tr>
            {columns.map((c) => (
              <th scope="col" key={c}>
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((r, i) => (
            <tr key={String(r.id ?? i)}>
              {columns.map((c) => (
                <td key={c}>{display(r[c])}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

/** Adding a department: the one form here; the others are read-only lists until their forms land. */
function NewDepartment(props: { onAdded: () => void }) {
  const [code, setCode] = useState('');
  const [name, setName] = useState('');
  const [failure, setFailure] = useState<unknown>(null);
  const [note, setNote] = useState('');
  async function add(event: Event) {
    event.preventDefault();
    setFailure(null);
    try {
      await call('desk', '/v1/admin/departments', { body: { code: code.trim(), name: name.trim() } });
      setCode('');
      setName('');
      setNote(t('admin.added'));
      props.onAdded();
    } catch (error) {
      setFailure(error);
    }
  }
  return (
    <form onSubmit={add} class="filters" aria-labelledby="new-department">
      <h3 id="new-department">{t('admin.newDepartment')}</h3>
      <ErrorSummary error={failure} />
      <Field id="dep-code" label={t('admin.code')}>
        {(aria) => (
          <input {...aria} type="text" value={code} onInput={(e) => setCode(e.currentTarget.value)} />
        )}
      </Field>
      <Field id="dep-name" label={t('admin.name')}>
        {(aria) => (
          <input {...aria} type="text" value={name} onInput={(e) => setName(e.currentTarget.value)} />
        )}
      </Field>
      <button type="submit" disabled={!code.trim() || !name.trim()}>
        {t('admin.add')}
      </button>
      <LiveRegion message={note} />
    </form>
  );
}

function Section(props: { section: (typeof SECTIONS)[number] }) {
  const data = useLoad(
    (signal) => call<Row[] | { items: Row[] }>('desk', props.section.path, { signal }),
    [props.section.path],
  );
  return (
    <>
      {props.section.key === 'departments' ? <NewDepartment onAdded={data.reload} /> : null}
      {data.loading && !data.data ? <Loading /> : null}
      {data.error ? <Unavailable error={data.error} what={t(`admin.${props.section.key}`)} /> : null}
      {data.data ? <ResourceTable rows={Array.isArray(data.data) ? data.data : data.data.items} /> : null}
    </>
  );
}

function Admin() {
  const path = pathOf(useSignal(route));
  const key = path.split('/')[2] ?? 'categories';
  const section = SECTIONS.find((s) => s.key === key) ?? SECTIONS[0];
  return (
    <>
      <h1>{t('nav.admin')}</h1>
      <SignedInAs />
      <nav aria-label={t('admin.sections')}>
        <ul class="tabs">
          {SECTIONS.map((s) => (
            <li key={s.key}>
              <a href={`/admin/${s.key}`} aria-current={s === section ? 'page' : undefined}>
                {t(`admin.${s.key}`)}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <h2>{t(`admin.${section.key}`)}</h2>
      <Section key={section.key} section={section} />
    </>
  );
}

export function AdminPage() {
  useSignal(lang);
  return <StaffOnly>{() => <Admin />}</StaffOnly>;
}
