import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError, call } from '../api.ts';
import { formatDateTime, lang, t } from '../i18n.ts';
import { useSignal } from '../state.ts';
import { ErrorSummary, Field, Loading, Unavailable, useLoad } from '../ui/common.tsx';
import {
  type DemographicDimension,
  rememberReceipt,
  type ServiceAttribute,
  type ServiceDefinition,
  type ServiceSummary,
  type Submitted,
} from './types.ts';

const MAX_DESCRIPTION = 4000;
const MAX_PHOTOS = 5;
/** The version of the explanation residents agree to (i18n keys demographics.*). */
const CONSENT_TEXT_VERSION = 'web-2026-1';

type AttributeValue = string | string[];

/** Intake sends a group code, not a name; named here where a language file has it. */
function groupName(code: string): string {
  const key = `group.${code}`;
  const text = t(key);
  return text === key ? code : text;
}

/** Groups services under their group heading, in the API's order. */
function grouped(services: ServiceSummary[]): [string, ServiceSummary[]][] {
  const groups = new Map<string, ServiceSummary[]>();
  for (const s of services) {
    const key = s.group ?? '';
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  return [...groups];
}

function AttributeInput(props: {
  attribute: ServiceAttribute;
  value: AttributeValue | undefined;
  error: string | undefined;
  onChange: (value: AttributeValue) => void;
}) {
  const a = props.attribute;
  const id = `attr-${a.code}`;
  if (!a.variable) {
    return (
      <p class="hint" id={id}>
        {a.description}
      </p>
    );
  }
  if (a.datatype === 'singlevaluelist' || a.datatype === 'multivaluelist') {
    const multiple = a.datatype === 'multivaluelist';
    const chosen = Array.isArray(props.value) ? props.value : props.value ? [props.value] : [];
    return (
      <fieldset id={id} aria-invalid={props.error ? 'true' : undefined}>
        <legend>
          {a.description}
          {a.required ? <span class="required"> ({t('form.required')})</span> : null}
        </legend>
        {props.error ? <p class="error-text">{props.error}</p> : null}
        {a.values.map((v) => (
          <div class="choice" key={v.key}>
            <input
              type={multiple ? 'checkbox' : 'radio'}
              id={`${id}-${v.key}`}
              name={id}
              value={v.key}
              checked={chosen.includes(v.key)}
              onChange={(e) => {
                const on = e.currentTarget.checked;
                if (!multiple) props.onChange(v.key);
                else props.onChange(on ? [...chosen, v.key] : chosen.filter((k) => k !== v.key));
              }}
            />
            <label for={`${id}-${v.key}`}>{v.name}</label>
          </div>
        ))}
      </fieldset>
    );
  }
  const type = a.datatype === 'number' ? 'number' : a.datatype === 'datetime' ? 'datetime-local' : 'text';
  return (
    <Field id={id} label={a.description} required={a.required} error={props.error}>
      {(aria) =>
        a.datatype === 'text' ? (
          <textarea
            {...aria}
            value={(props.value as string) ?? ''}
            onInput={(e) => props.onChange(e.currentTarget.value)}
          />
        ) : (
          <input
            {...aria}
            type={type}
            value={(props.value as string) ?? ''}
            onInput={(e) => props.onChange(e.currentTarget.value)}
          />
        )
      }
    </Field>
  );
}

function DemographicQuestions(props: {
  dimensions: DemographicDimension[];
  answers: Record<string, string>;
  consent: boolean;
  error: string | undefined;
  onAnswer: (dimension: string, group: string) => void;
  onConsent: (consent: boolean) => void;
}) {
  return (
    <section aria-labelledby="demographics-heading">
      <h2 id="demographics-heading">{t('demographics.title')}</h2>
      <div class="notice">
        <p>{t('demographics.why')}</p>
        <p>{t('demographics.privacy')}</p>
      </div>
      {props.dimensions.map((d) => (
        <fieldset key={d.code}>
          <legend>{d.name}</legend>
          <div class="choices-inline">
            {[...d.groups, { code: 'unknown', name: t('demographics.preferNot') }].map((g) => (
              <div class="choice" key={g.code}>
                <input
                  type="radio"
                  id={`demo-${d.code}-${g.code}`}
                  name={`demo-${d.code}`}
                  value={g.code}
                  checked={props.answers[d.code] === g.code}
                  onChange={() => props.onAnswer(d.code, g.code)}
                />
                <label for={`demo-${d.code}-${g.code}`}>{g.name}</label>
              </div>
            ))}
          </div>
        </fieldset>
      ))}
      <div class={`choice${props.error ? ' field--error' : ''}`}>
        <input
          type="checkbox"
          id="demo-consent"
          checked={props.consent}
          aria-describedby={props.error ? 'demo-consent-error' : undefined}
          onChange={(e) => props.onConsent(e.currentTarget.checked)}
        />
        <label for="demo-consent">{t('demographics.consent')}</label>
      </div>
      {props.error ? (
        <p class="error-text" id="demo-consent-error">
          {props.error}
        </p>
      ) : null}
    </section>
  );
}

export function Receipt(props: { submitted: Submitted }) {
  const s = props.submitted;
  const followUrl = `/track?code=${encodeURIComponent(s.trackingCode)}`;
  return (
    <div class="notice notice--ok" role="status" tabIndex={-1} id="receipt">
      <h2>{t('submit.thanks')}</h2>
      <p>{t('submit.trackingCodeIs')}</p>
      <p class="tracking-code" data-testid="tracking-code">
        {s.trackingCode}
      </p>
      <p>{t('submit.accessTokenIs')}</p>
      <p class="secret" data-testid="access-token">
        {s.accessToken}
      </p>
      <p class="hint">{t('submit.keepBoth')}</p>
      {s.expectedFirstResponseAt ? (
        <p>{t('submit.expectedAnswer', { when: formatDateTime(s.expectedFirstResponseAt) })}</p>
      ) : null}
      <p>
        <a class="button" href={followUrl}>
          {t('submit.follow')}
        </a>
      </p>
    </div>
  );
}

export function SubmitPage() {
  const language = useSignal(lang);
  const services = useLoad(
    (signal) =>
      call<ServiceSummary[]>('intake', `/v1/services?lang=${encodeURIComponent(language)}`, { signal }),
    [language],
  );
  // The tenant's voluntary demographic questions in the reader's language (none: the section stays hidden).
  const dimensions = useLoad(
    (signal) =>
      call<DemographicDimension[]>(
        'intake',
        `/v1/demographic-dimensions?lang=${encodeURIComponent(language)}`,
        {
          signal,
        },
      ).catch(() => [] as DemographicDimension[]),
    [language],
  );
  const [code, setCode] = useState('');
  const [definition, setDefinition] = useState<ServiceDefinition | null>(null);
  const [attributes, setAttributes] = useState<Record<string, AttributeValue>>({});
  const [description, setDescription] = useState('');
  const [address, setAddress] = useState('');
  const [position, setPosition] = useState<{ lat: number; long: number } | null>(null);
  const [positionNote, setPositionNote] = useState('');
  const [photos, setPhotos] = useState<File[]>([]);
  const [contact, setContact] = useState({ name: '', email: '', phone: '' });
  const [answers, setAnswers] = useState<Record<string, string>>({});
  const [consent, setConsent] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [submitted, setSubmitted] = useState<Submitted | null>(null);
  const idempotencyKey = useMemo(() => crypto.randomUUID(), []);
  const previews = useMemo(() => photos.map((p) => URL.createObjectURL(p)), [photos]);
  useEffect(
    () => () => {
      for (const u of previews) URL.revokeObjectURL(u);
    },
    [previews],
  );

  useEffect(() => {
    if (!code) {
      setDefinition(null);
      return;
    }
    const controller = new AbortController();
    call<ServiceDefinition>('intake', `/v1/services/${encodeURIComponent(code)}?lang=${language}`, {
      signal: controller.signal,
    }).then(
      (d) => setDefinition(d),
      (error) => {
        if ((error as Error).name !== 'AbortError') setFailure(error);
      },
    );
    return () => controller.abort();
  }, [code, language]);

  useEffect(() => {
    if (submitted) document.getElementById('receipt')?.focus();
  }, [submitted]);

  if (submitted) {
    return (
      <>
        <h1>{t('submit.title')}</h1>
        <Receipt submitted={submitted} />
      </>
    );
  }

  function locate() {
    if (!navigator.geolocation) {
      setPositionNote(t('submit.positionUnavailable'));
      return;
    }
    setPositionNote(t('submit.positionFinding'));
    navigator.geolocation.getCurrentPosition(
      (p) => {
        setPosition({
          lat: Number(p.coords.latitude.toFixed(6)),
          long: Number(p.coords.longitude.toFixed(6)),
        });
        setPositionNote(t('submit.positionFound'));
      },
      () => setPositionNote(t('submit.positionUnavailable')),
      { timeout: 10_000 },
    );
  }

  function validate(): Record<string, string> {
    const problems: Record<string, string> = {};
    if (!code) problems.serviceCode = t('submit.errors.category');
    if (!description.trim()) problems.description = t('submit.errors.description');
    for (const a of definition?.attributes ?? []) {
      const v = attributes[a.code];
      if (a.variable && a.required && (v === undefined || v === '' || (Array.isArray(v) && !v.length))) {
        problems[`attributes.${a.code}`] = t('submit.errors.required');
      }
    }
    if (Object.keys(answers).length && !consent) problems.consent = t('demographics.consentNeeded');
    if (photos.length > MAX_PHOTOS) problems.photos = t('submit.errors.photos', { max: MAX_PHOTOS });
    return problems;
  }

  async function submit(event: Event) {
    event.preventDefault();
    const problems = validate();
    setErrors(problems);
    if (Object.keys(problems).length) {
      setFailure(
        new ApiError(
          400,
          t('submit.errors.fix'),
          Object.entries(problems).map(([field, message]) => ({ field, message })),
        ),
      );
      return;
    }
    const body: Record<string, unknown> = {
      serviceCode: code,
      description: description.trim(),
      language,
      channel: 'web',
    };
    const attrs = Object.fromEntries(
      Object.entries(attributes).filter(([, v]) => v !== '' && !(Array.isArray(v) && !v.length)),
    );
    if (Object.keys(attrs).length) body.attributes = attrs;
    if (address.trim() || position) {
      body.location = { ...(address.trim() ? { address: address.trim() } : {}), ...(position ?? {}) };
    }
    const c = Object.fromEntries(Object.entries(contact).filter(([, v]) => v.trim()));
    if (Object.keys(c).length) body.contact = c;
    if (Object.keys(answers).length && consent) {
      body.demographics = { consent: true, consentTextVersion: CONSENT_TEXT_VERSION, groups: answers };
    }
    setBusy(true);
    setFailure(null);
    try {
      const headers = { 'idempotency-key': idempotencyKey };
      let result: Submitted;
      if (photos.length) {
        const form = new FormData();
        form.append('inquiry', JSON.stringify(body));
        for (const p of photos) form.append('photos', p, p.name);
        result = await call<Submitted>('intake', '/v1/inquiries/with-photos', { form, headers });
      } else {
        result = await call<Submitted>('intake', '/v1/inquiries', { body, headers });
      }
      rememberReceipt({ trackingCode: result.trackingCode, accessToken: result.accessToken });
      setSubmitted(result);
    } catch (error) {
      if (error instanceof ApiError) {
        setErrors(
          Object.fromEntries(error.fields.map((f) => [f.field.replace(/^inquiry\./, ''), f.message])),
        );
      }
      setFailure(error);
    } finally {
      setBusy(false);
    }
  }

  const fieldIds: Record<string, string> = {
    serviceCode: 'category-fieldset',
    description: 'description',
    'location.address': 'address',
    'contact.email': 'contact-email',
    'contact.phone': 'contact-phone',
    photos: 'photos',
    consent: 'demo-consent',
    ...Object.fromEntries(
      (definition?.attributes ?? []).map((a) => [`attributes.${a.code}`, `attr-${a.code}`]),
    ),
  };

  return (
    <>
      <h1>{t('submit.title')}</h1>
      <p>{t('submit.intro')}</p>
      <ErrorSummary error={failure} fieldIds={fieldIds} />
      <form onSubmit={submit} noValidate aria-describedby="submit-privacy">
        <fieldset id="category-fieldset" aria-invalid={errors.serviceCode ? 'true' : undefined}>
          <legend>
            {t('submit.category')} <span class="required">({t('form.required')})</span>
          </legend>
          {errors.serviceCode ? <p class="error-text">{errors.serviceCode}</p> : null}
          {services.loading && !services.data ? <Loading /> : null}
          {services.error ? <Unavailable error={services.error} what={t('submit.category')} /> : null}
          {grouped(services.data ?? []).map(([group, list]) => (
            <div key={group}>
              {group ? <h3>{groupName(group)}</h3> : null}
              {list.map((s) => (
                <div class="choice" key={s.code}>
                  <input
                    type="radio"
                    name="category"
                    id={`category-${s.code}`}
                    value={s.code}
                    checked={code === s.code}
                    aria-describedby={s.description ? `category-${s.code}-desc` : undefined}
                    onChange={() => {
                      setCode(s.code);
                      setAttributes({});
                    }}
                  />
                  <label for={`category-${s.code}`}>
                    {s.name}
                    {s.description ? (
                      <span class="hint" id={`category-${s.code}-desc`}>
                        {' '}
                        — {s.description}
                      </span>
                    ) : null}
                  </label>
                </div>
              ))}
            </div>
          ))}
        </fieldset>

        {definition?.attributes.length ? (
          <section aria-labelledby="attributes-heading">
            <h2 id="attributes-heading">{t('submit.details', { category: definition.name })}</h2>
            {[...definition.attributes]
              .sort((a, b) => a.order - b.order)
              .map((a) => (
                <AttributeInput
                  key={a.code}
                  attribute={a}
                  value={attributes[a.code]}
                  error={errors[`attributes.${a.code}`]}
                  onChange={(v) => setAttributes((prev) => ({ ...prev, [a.code]: v }))}
                />
              ))}
          </section>
        ) : null}

        <Field
          id="description"
          label={t('submit.description')}
          hint={t('submit.descriptionHint')}
          required
          error={errors.description}
        >
          {(aria) => (
            <>
              <textarea
                {...aria}
                maxLength={MAX_DESCRIPTION}
                value={description}
                onInput={(e) => setDescription(e.currentTarget.value)}
              />
              <p class="counter">{t('submit.charactersLeft', { n: MAX_DESCRIPTION - description.length })}</p>
            </>
          )}
        </Field>

        <fieldset>
          <legend>{t('submit.where')}</legend>
          <Field
            id="address"
            label={t('submit.address')}
            hint={t('submit.addressHint')}
            error={errors['location.address']}
          >
            {(aria) => (
              <input
                {...aria}
                type="text"
                autocomplete="street-address"
                value={address}
                onInput={(e) => setAddress(e.currentTarget.value)}
              />
            )}
          </Field>
          <div class="actions">
            <button type="button" class="secondary" onClick={locate}>
              {t('submit.usePosition')}
            </button>
            {position ? (
              <button type="button" class="link" onClick={() => setPosition(null)}>
                {t('submit.removePosition')}
              </button>
            ) : null}
          </div>
          <p role="status" class="hint">
            {positionNote}
            {position ? ` ${position.lat}, ${position.long}` : ''}
          </p>
        </fieldset>

        <Field
          id="photos"
          label={t('submit.photos')}
          hint={t('submit.photosHint', { max: MAX_PHOTOS })}
          error={errors.photos}
        >
          {(aria) => (
            <input
              {...aria}
              type="file"
              accept="image/jpeg,image/png,image/webp,image/heic"
              multiple
              onChange={(e) => setPhotos([...(e.currentTarget.files ?? [])].slice(0, MAX_PHOTOS))}
            />
          )}
        </Field>
        {previews.length ? (
          <ul class="cards">
            {previews.map((src, i) => (
              <li class="card" key={src}>
                <img src={src} alt={t('submit.photoPreview', { name: photos[i]?.name ?? '' })} width={160} />
              </li>
            ))}
          </ul>
        ) : null}

        <fieldset>
          <legend>{t('submit.contact')}</legend>
          <p class="hint">{t('submit.contactHint')}</p>
          <Field id="contact-name" label={t('submit.name')}>
            {(aria) => (
              <input
                {...aria}
                type="text"
                autocomplete="name"
                value={contact.name}
                onInput={(e) => setContact({ ...contact, name: e.currentTarget.value })}
              />
            )}
          </Field>
          <Field id="contact-email" label={t('submit.email')} error={errors['contact.email']}>
            {(aria) => (
              <input
                {...aria}
                type="email"
                autocomplete="email"
                value={contact.email}
                onInput={(e) => setContact({ ...contact, email: e.currentTarget.value })}
              />
            )}
          </Field>
          <Field id="contact-phone" label={t('submit.phone')} error={errors['contact.phone']}>
            {(aria) => (
              <input
                {...aria}
                type="tel"
                autocomplete="tel"
                value={contact.phone}
                onInput={(e) => setContact({ ...contact, phone: e.currentTarget.value })}
              />
            )}
          </Field>
        </fieldset>

        {dimensions.data?.length ? (
          <DemographicQuestions
            dimensions={dimensions.data}
            answers={answers}
            consent={consent}
            error={errors.consent}
            onAnswer={(d, g) => setAnswers((prev) => ({ ...prev, [d]: g }))}
            onConsent={setConsent}
          />
        ) : null}

        <p class="hint" id="submit-privacy">
          {t('submit.privacy')}
        </p>
        <div class="actions">
          <button type="submit" disabled={busy}>
            {busy ? t('submit.sending') : t('submit.send')}
          </button>
        </div>
      </form>
    </>
  );
}
