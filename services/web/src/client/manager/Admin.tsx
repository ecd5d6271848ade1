import { call } from '../api.ts';
import { SignedInAs, StaffOnly } from '../desk/SignIn.tsx';
import { lang, languageName, languages, t } from '../i18n.ts';
import { pathOf, route } from '../router.ts';
import { useSignal } from '../state.ts';
import { Loading, Unavailable, useLoad } from '../ui/common.tsx';
import { type Option, ResourceEditor, type ResourceSpec, type Row } from '../ui/resource.tsx';

/**
 * Administration over the desk's admin API (services/desk routes/admin/*.ts) and knowledge base:
 * each section is a description of its fields for the one generic list + form (ui/resource.tsx).
 */
const ADMIN = '/v1/admin';
const ROLES = ['agent', 'department_officer', 'supervisor', 'manager', 'dialogue_facilitator', 'admin'];
const DATATYPES = ['string', 'number', 'datetime', 'text', 'singlevaluelist', 'multivaluelist'];
const CHANNELS = ['web', 'chat', 'phone', 'email', 'walk_in', 'open311', 'app'];
const PRIORITIES = ['low', 'normal', 'high', 'urgent'];

interface Refs {
  departments: Row[];
  calendars: Row[];
  slaPolicies: Row[];
  categories: Row[];
}

const get = (path: string) => (signal: AbortSignal) => call<Row[]>('desk', path, { signal });
const post = (path: string) => (body: Row) => call('desk', path, { body });
const patch = (path: (row: Row) => string) => (row: Row, body: Row) =>
  call('desk', path(row), { method: 'PATCH', body });
const del = (path: (row: Row) => string) => (row: Row) => call('desk', path(row), { method: 'DELETE' });
const localisedName = (names: unknown) => {
  const n = (names ?? {}) as Record<string, string>;
  return n[lang.get()] ?? Object.values(n)[0] ?? '';
};
const fixed = (values: string[], prefix: string) => (): Option[] =>
  values.map((v) => ({ value: v, label: t(`${prefix}${v}`) }));
const rowsAs = (rows: Row[], label: (r: Row) => string, value = (r: Row) => String(r.id)) =>
  rows.map((r) => ({ value: value(r), label: label(r) }));

function specs(refs: Refs, reload: () => void): Record<string, ResourceSpec> {
  const departments = () => rowsAs(refs.departments, (d) => String(d.name));
  const calendars = () => rowsAs(refs.calendars, (c) => String(c.name));
  const slaPolicies = () => rowsAs(refs.slaPolicies, (p) => String(p.name));
  const categoryCodes = () =>
    rowsAs(
      refs.categories,
      (c) => localisedName(c.names) || String(c.code),
      (c) => String(c.code),
    );
  // A change to a record others refer to refreshes the choices the other sections offer.
  const andRefresh =
    <A extends unknown[]>(f: (...args: A) => Promise<unknown>) =>
    async (...args: A) => {
      const result = await f(...args);
      reload();
      return result;
    };
  return {
    categories: {
      id: 'category',
      title: t('admin.categories'),
      load: get(`${ADMIN}/categories`),
      columns: ['code', 'names', 'defaultDepartmentId', 'slaPolicyId', 'sensitive', 'active'],
      rowLabel: (r) => localisedName(r.names) || String(r.code),
      fields: [
        { name: 'code', kind: 'text', required: true, hint: 'admin.hint.code' },
        { name: 'names', kind: 'localised', required: true },
        { name: 'descriptions', kind: 'localised' },
        { name: 'groupName', kind: 'text', nullable: true },
        { name: 'keywords', kind: 'list', hint: 'admin.hint.list' },
        { name: 'defaultDepartmentId', kind: 'select', nullable: true, options: departments },
        { name: 'slaPolicyId', kind: 'select', nullable: true, options: slaPolicies },
        { name: 'sortOrder', kind: 'number' },
        { name: 'sensitive', kind: 'checkbox' },
        { name: 'active', kind: 'checkbox', initial: true },
      ],
      create: andRefresh(post(`${ADMIN}/categories`)),
      update: andRefresh(patch((r) => `${ADMIN}/categories/${r.id}`)),
      remove: { label: t('admin.delete'), run: andRefresh(del((r) => `${ADMIN}/categories/${r.id}`)) },
      detail: { label: t('admin.attributes'), render: (r) => <Attributes category={r} /> },
    },
    departments: {
      id: 'department',
      title: t('admin.departments'),
      load: get(`${ADMIN}/departments`),
      columns: ['code', 'name', 'kind', 'email', 'calendarId', 'active'],
      rowLabel: (r) => String(r.name),
      fields: [
        { name: 'code', kind: 'text', required: true, hint: 'admin.hint.code' },
        { name: 'name', kind: 'text', required: true },
        {
          name: 'kind',
          kind: 'select',
          initial: 'department',
          options: fixed(['department', 'contact_centre'], 'admin.kind.'),
        },
        { name: 'email', kind: 'email', nullable: true },
        { name: 'calendarId', kind: 'select', nullable: true, options: calendars },
        { name: 'active', kind: 'checkbox', initial: true },
      ],
      create: andRefresh(post(`${ADMIN}/departments`)),
      update: andRefresh(patch((r) => `${ADMIN}/departments/${r.id}`)),
      remove: { label: t('admin.delete'), run: andRefresh(del((r) => `${ADMIN}/departments/${r.id}`)) },
    },
    routing: {
      id: 'rule',
      title: t('admin.routing'),
      load: get(`${ADMIN}/routing-rules`),
      columns: [
        'position',
        'name',
        'conditions.categories',
        'conditions.keywords',
        'leadDepartmentId',
        'assistingDepartmentIds',
        'active',
      ],
      rowLabel: (r) => String(r.name),
      fields: [
        { name: 'name', kind: 'text', required: true },
        { name: 'position', kind: 'number', required: true, hint: 'admin.hint.position' },
        { name: 'conditions.categories', kind: 'multi', options: categoryCodes },
        { name: 'conditions.keywords', kind: 'list', hint: 'admin.hint.list' },
        { name: 'conditions.districts', kind: 'list', hint: 'admin.hint.list' },
        { name: 'conditions.languages', kind: 'list', hint: 'admin.hint.languages' },
        { name: 'conditions.channels', kind: 'multi', options: fixed(CHANNELS, 'channel.') },
        { name: 'leadDepartmentId', kind: 'select', required: true, options: departments },
        { name: 'assistingDepartmentIds', kind: 'multi', options: departments },
        { name: 'priority', kind: 'select', nullable: true, options: fixed(PRIORITIES, 'priority.') },
        { name: 'active', kind: 'checkbox', initial: true },
      ],
      create: post(`${ADMIN}/routing-rules`),
      update: patch((r) => `${ADMIN}/routing-rules/${r.id}`),
      remove: { label: t('admin.delete'), run: del((r) => `${ADMIN}/routing-rules/${r.id}`) },
    },
    sla: {
      id: 'sla',
      title: t('admin.sla'),
      load: get(`${ADMIN}/sla-policies`),
      columns: ['code', 'name', 'calendarId', 'firstResponseMinutes', 'resolutionMinutes', 'warningShare'],
      rowLabel: (r) => String(r.name),
      fields: [
        { name: 'code', kind: 'text', required: true, hint: 'admin.hint.code' },
        { name: 'name', kind: 'text', required: true },
        { name: 'calendarId', kind: 'select', nullable: true, options: calendars },
        { name: 'firstResponseMinutes', kind: 'number', required: true, hint: 'admin.hint.minutes' },
        { name: 'resolutionMinutes', kind: 'number', required: true, hint: 'admin.hint.minutes' },
        { name: 'warningShare', kind: 'number', nullable: true, hint: 'admin.hint.warningShare' },
        { name: 'warningBeforeMinutes', kind: 'number', nullable: true, hint: 'admin.hint.minutes' },
      ],
      create: andRefresh(post(`${ADMIN}/sla-policies`)),
      update: andRefresh(patch((r) => `${ADMIN}/sla-policies/${r.id}`)),
      remove: { label: t('admin.delete'), run: andRefresh(del((r) => `${ADMIN}/sla-policies/${r.id}`)) },
    },
    calendars: {
      id: 'calendar',
      title: t('admin.calendars'),
      load: get(`${ADMIN}/calendars`),
      columns: ['name', 'timeZone', 'openingHours', 'isDefault'],
      rowLabel: (r) => String(r.name),
      fields: [
        { name: 'name', kind: 'text', required: true },
        { name: 'timeZone', kind: 'text', required: true, hint: 'admin.hint.timeZone' },
        { name: 'openingHours', kind: 'hours', hint: 'admin.hint.openingHours' },
        { name: 'isDefault', kind: 'checkbox' },
      ],
      create: andRefresh(post(`${ADMIN}/calendars`)),
      update: andRefresh(patch((r) => `${ADMIN}/calendars/${r.id}`)),
      remove: { label: t('admin.delete'), run: andRefresh(del((r) => `${ADMIN}/calendars/${r.id}`)) },
      detail: { label: t('admin.holidays'), render: (r) => <Holidays calendar={r} /> },
    },
    staff: {
      id: 'staff',
      title: t('admin.staff'),
      load: get(`${ADMIN}/staff`),
      columns: ['displayName', 'email', 'roles', 'departmentIds', 'active', 'lockedUntil'],
      rowLabel: (r) => String(r.displayName),
      fields: [
        { name: 'email', kind: 'email', required: true, only: 'create' },
        { name: 'displayName', kind: 'text', required: true },
        { name: 'roles', kind: 'multi', required: true, options: fixed(ROLES, 'role.') },
        { name: 'departmentIds', kind: 'multi', options: departments },
        { name: 'password', kind: 'password', required: true, only: 'create', hint: 'admin.hint.password' },
        { name: 'password', label: 'admin.field.newPassword', kind: 'password', only: 'edit' },
        { name: 'active', kind: 'checkbox', only: 'edit' },
      ],
      create: post(`${ADMIN}/staff`),
      // Memberships have a route of their own; the rest is one PATCH.
      async update(row, body) {
        const { departmentIds, ...rest } = body;
        await call('desk', `${ADMIN}/staff/${row.id}`, { method: 'PATCH', body: rest });
        return call('desk', `${ADMIN}/staff/${row.id}/departments`, {
          method: 'PUT',
          body: { departmentIds },
        });
      },
      remove: {
        label: t('admin.deactivate'),
        shown: (r) => r.active === true,
        run: (r) => call('desk', `${ADMIN}/staff/${r.id}`, { method: 'PATCH', body: { active: false } }),
      },
    },
    apiKeys: {
      id: 'api-key',
      title: t('admin.apiKeys'),
      load: get(`${ADMIN}/api-keys`),
      columns: ['name', 'keyPrefix', 'active', 'createdAt', 'revokedAt'],
      rowLabel: (r) => String(r.name),
      fields: [{ name: 'name', kind: 'text', required: true }],
      create: post(`${ADMIN}/api-keys`),
      created: (result) => (
        <>
          <p>{t('admin.keyOnce')}</p>
          <p>
            <code data-testid="new-api-key">{String((result as Row).key)}</code>
          </p>
        </>
      ),
      remove: {
        label: t('admin.revoke'),
        shown: (r) => r.active === true,
        run: del((r) => `${ADMIN}/api-keys/${r.id}`),
      },
    },
    knowledge: {
      id: 'article',
      title: t('admin.knowledge'),
      load: (signal) =>
        call<{ articles: Row[] }>('desk', '/v1/knowledge/articles?archived=include', { signal }).then(
          (d) => d.articles,
        ),
      rowKey: (r) => `${r.articleKey}/${r.language}`,
      columns: ['articleKey', 'language', 'title', 'version', 'archivedAt'],
      rowLabel: (r) => String(r.title),
      fields: [
        { name: 'articleKey', kind: 'text', required: true, only: 'create', hint: 'admin.hint.articleKey' },
        {
          name: 'language',
          kind: 'select',
          required: true,
          only: 'create',
          options: () => languages.map((l) => ({ value: l, label: languageName(l) })),
        },
        { name: 'title', kind: 'text', required: true },
        { name: 'body', kind: 'textarea', required: true },
      ],
      create: post('/v1/knowledge/articles'),
      update: (r, body) =>
        call('desk', `/v1/knowledge/articles/${r.articleKey}/${r.language}`, {
          method: 'PUT',
          body: { ...body, baseVersion: r.version },
        }),
      remove: {
        label: t('admin.archive'),
        shown: (r) => !r.archivedAt,
        run: (r) =>
          call('desk', `/v1/knowledge/articles/${r.articleKey}/${r.language}/archive`, { method: 'POST' }),
      },
    },
  };
}

function Loaded(props: { spec: ResourceSpec }) {
  const data = useLoad((signal) => props.spec.load(signal), [props.spec.id]);
  if (data.loading && !data.data) return <Loading />;
  if (data.error) return <Unavailable error={data.error} what={props.spec.title} />;
  return <ResourceEditor spec={props.spec} rows={data.data ?? []} reload={data.reload} />;
}

/** A category's Open311 attributes: the questions the resident portal asks for it. */
function Attributes(props: { category: Row }) {
  const base = `${ADMIN}/categories/${props.category.id}/attributes`;
  const spec: ResourceSpec = {
    id: `attribute-${props.category.id}`,
    title: t('admin.attributesOf', { name: localisedName(props.category.names) }),
    load: get(base),
    columns: ['code', 'datatype', 'descriptions', 'required', 'values'],
    rowLabel: (r) => String(r.code),
    fields: [
      { name: 'code', kind: 'text', required: true },
      { name: 'datatype', kind: 'select', required: true, options: fixed(DATATYPES, 'datatype.') },
      { name: 'descriptions', kind: 'localised', required: true, hint: 'admin.hint.attributeQuestion' },
      { name: 'values', kind: 'pairs', hint: 'admin.hint.values' },
      { name: 'required', kind: 'checkbox' },
      { name: 'sortOrder', kind: 'number' },
    ],
    create: post(base),
    update: patch((r) => `${base}/${r.id}`),
    remove: { label: t('admin.delete'), run: del((r) => `${base}/${r.id}`) },
  };
  return (
    <>
      <h3>{spec.title}</h3>
      <Loaded spec={spec} />
    </>
  );
}

/** A calendar's holidays: days closed all day. */
function Holidays(props: { calendar: Row }) {
  const base = `${ADMIN}/calendars/${props.calendar.id}/holidays`;
  const put = (day: unknown, body: Row) => call('desk', `${base}/${day}`, { method: 'PUT', body });
  const spec: ResourceSpec = {
    id: `holiday-${props.calendar.id}`,
    title: t('admin.holidaysOf', { name: String(props.calendar.name) }),
    load: get(base),
    rowKey: (r) => String(r.day),
    columns: ['day', 'name'],
    rowLabel: (r) => `${r.day} ${r.name}`,
    fields: [
      { name: 'day', kind: 'date', required: true, only: 'create' },
      { name: 'name', kind: 'text', required: true },
    ],
    create: ({ day, ...body }) => put(day || '-', body),
    update: (r, body) => put(r.day, body),
    remove: { label: t('admin.delete'), run: del((r) => `${base}/${r.day}`) },
  };
  return (
    <>
      <h3>{spec.title}</h3>
      <Loaded spec={spec} />
    </>
  );
}

const SECTIONS = [
  'categories',
  'departments',
  'routing',
  'sla',
  'calendars',
  'staff',
  'apiKeys',
  'knowledge',
];

function Admin() {
  useSignal(lang);
  const path = pathOf(useSignal(route));
  const key = path.split('/')[2] ?? 'categories';
  const section = SECTIONS.includes(key) ? key : 'categories';
  const refs = useLoad(async (signal): Promise<Refs> => {
    const [departments, calendars, slaPolicies, categories] = await Promise.all(
      ['departments', 'calendars', 'sla-policies', 'categories'].map((p) =>
        call<Row[]>('desk', `${ADMIN}/${p}`, { signal }),
      ),
    );
    return {
      departments: departments!,
      calendars: calendars!,
      slaPolicies: slaPolicies!,
      categories: categories!,
    };
  }, []);
  const all = refs.data ? specs(refs.data, refs.reload) : null;
  return (
    <>
      <h1>{t('nav.admin')}</h1>
      <SignedInAs />
      <nav aria-label={t('admin.sections')}>
        <ul class="tabs">
          {SECTIONS.map((s) => (
            <li key={s}>
              <a href={`/admin/${s}`} aria-current={s === section ? 'page' : undefined}>
                {t(`admin.${s}`)}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <h2>{t(`admin.${section}`)}</h2>
      {refs.error ? <Unavailable error={refs.error} what={t('nav.admin')} /> : null}
      {all ? <Loaded key={section} spec={all[section]!} /> : refs.loading ? <Loading /> : null}
    </>
  );
}

export function AdminPage() {
  useSignal(lang);
  return <StaffOnly>{() => <Admin />}</StaffOnly>;
}
