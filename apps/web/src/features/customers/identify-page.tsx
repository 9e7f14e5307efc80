import { useState } from 'react';
import type { SubmitEvent, ReactNode } from 'react';
import type { Identification, IdentityKind } from '../../app/api-types.ts';
import { ErrorMessage } from '../../app/error-message.tsx';
import { useSession } from '../../app/session.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { CustomerProfile } from './customer-profile.tsx';

const identityKinds: readonly IdentityKind[] = ['phone', 'email', 'whatsapp', 'chat'];

/**
 * Who is this? An agent types the number or address a contact came from and gets the screen pop; an unknown one
 * becomes an unverified customer, completed with the short form.
 */
export function IdentifyPage(): ReactNode {
  const { t } = useI18n();
  const { api } = useSession();
  const [channel, setChannel] = useState<IdentityKind>('phone');
  const [address, setAddress] = useState('');
  const [result, setResult] = useState<Identification | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [isBusy, setBusy] = useState(false);

  const identify = (event: SubmitEvent): void => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setResult(null);
    api.post<Identification>('/api/identify', { channel, address: address.trim() }).then(
      (identification) => {
        setResult(identification);
        setBusy(false);
      },
      (failure: unknown) => {
        setError(failure);
        setBusy(false);
      },
    );
  };

  return (
    <section>
      <h1 tabIndex={-1}>{t('identify.title')}</h1>
      <p className="muted">{t('identify.intro')}</p>
      <form onSubmit={identify} className="inline-form">
        <label>
          {t('identify.channel')}
          <select
            name="channel"
            value={channel}
            onChange={(event) => {
              setChannel(identityKinds.find((kind) => kind === event.target.value) ?? 'phone');
            }}
          >
            {identityKinds.map((kind) => (
              <option key={kind} value={kind}>
                {t(`identity.${kind}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="grow">
          {t('identify.address')}
          <input
            name="address"
            value={address}
            required
            onChange={(event) => {
              setAddress(event.target.value);
            }}
            autoFocus
          />
        </label>
        <button type="submit" className="primary" disabled={isBusy}>
          {t('identify.submit')}
        </button>
      </form>
      <ErrorMessage error={error} />
      {result !== null && (
        <>
          <p role="status" className={result.isNewCustomer ? 'notice' : 'muted'}>
            {result.isNewCustomer ? t('identify.newCustomer') : t('identify.known')}
          </p>
          <CustomerProfile key={result.customer.id} customerId={result.customer.id} />
        </>
      )}
    </section>
  );
}
