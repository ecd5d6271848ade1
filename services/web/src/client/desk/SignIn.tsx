import { useEffect, useState } from 'preact/hooks';
import { t } from '../i18n.ts';
import { useSignal } from '../state.ts';
import { ErrorSummary, Field, Loading } from '../ui/common.tsx';
import { checkSession, me, signIn, signOut } from './session.ts';

function SignInForm() {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [failure, setFailure] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setFailure(null);
    try {
      await signIn(email.trim(), password);
    } catch (error) {
      setFailure(error);
    } finally {
      setBusy(false);
    }
  }
  return (
    <>
      <h1>{t('signIn.title')}</h1>
      <ErrorSummary error={failure} />
      <form onSubmit={submit}>
        <Field id="sign-in-email" label={t('signIn.email')}>
          {(aria) => (
            <input
              {...aria}
              type="email"
              autocomplete="username"
              required
              value={email}
              onInput={(e) => setEmail(e.currentTarget.value)}
            />
          )}
        </Field>
        <Field id="sign-in-password" label={t('signIn.password')}>
          {(aria) => (
            <input
              {...aria}
              type="password"
              autocomplete="current-password"
              required
              value={password}
              onInput={(e) => setPassword(e.currentTarget.value)}
            />
          )}
        </Field>
        <div class="actions">
          <button type="submit" disabled={busy}>
            {t('signIn.submit')}
          </button>
        </div>
      </form>
    </>
  );
}

/** Shows the staff page to a signed-in member, the sign-in form to anyone else. */
export function StaffOnly(props: { children: () => preact.ComponentChildren }) {
  const who = useSignal(me);
  useEffect(() => {
    if (who === undefined) void checkSession();
  }, [who]);
  if (who === undefined) return <Loading />;
  if (who === null) return <SignInForm />;
  return <>{props.children()}</>;
}

export function SignedInAs() {
  const who = useSignal(me);
  if (!who) return null;
  return (
    <p class="meta">
      {t('signIn.as', { name: who.displayName, roles: who.roles.join(', ') })}{' '}
      <button type="button" class="link" onClick={() => void signOut()}>
        {t('signIn.signOut')}
      </button>
    </p>
  );
}
