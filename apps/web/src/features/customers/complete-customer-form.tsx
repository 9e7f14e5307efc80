import { useState } from 'react';
import type { SubmitEvent, ReactNode } from 'react';
import type { Customer } from '../../app/api-types.ts';
import { ErrorMessage } from '../../app/error-message.tsx';
import { useSession } from '../../app/session.tsx';
import { useI18n } from '../../i18n/i18n.tsx';

/** Completes an unverified customer (created when an unknown number or address got in touch). */
export function CompleteCustomerForm(props: {
  readonly customer: Customer;
  readonly onSaved: () => void;
}): ReactNode {
  const { t } = useI18n();
  const { api } = useSession();
  const [firstName, setFirstName] = useState(props.customer.firstName);
  const [lastName, setLastName] = useState(props.customer.lastName);
  const [company, setCompany] = useState(props.customer.company);
  const [isVerified, setVerified] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [isBusy, setBusy] = useState(false);

  const save = (event: SubmitEvent): void => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    api
      .patch(`/api/customers/${props.customer.id}`, {
        firstName: firstName.trim(),
        lastName: lastName.trim(),
        company: company.trim(),
        isVerified,
      })
      .then(
        () => {
          setBusy(false);
          props.onSaved();
        },
        (failure: unknown) => {
          setBusy(false);
          setError(failure);
        },
      );
  };

  return (
    <form
      onSubmit={save}
      className="card highlight"
      aria-labelledby="complete-title"
      data-testid="complete-customer"
    >
      <h3 id="complete-title">{t('complete.title')}</h3>
      <p className="muted">{t('complete.intro')}</p>
      <div className="row">
        <label>
          {t('complete.firstName')}
          <input
            name="firstName"
            value={firstName}
            onChange={(event) => {
              setFirstName(event.target.value);
            }}
          />
        </label>
        <label>
          {t('complete.lastName')}
          <input
            name="lastName"
            value={lastName}
            onChange={(event) => {
              setLastName(event.target.value);
            }}
          />
        </label>
        <label>
          {t('customers.company')}
          <input
            name="company"
            value={company}
            onChange={(event) => {
              setCompany(event.target.value);
            }}
          />
        </label>
      </div>
      <label className="checkbox">
        <input
          type="checkbox"
          checked={isVerified}
          onChange={(event) => {
            setVerified(event.target.checked);
          }}
        />
        {t('complete.verified')}
      </label>
      <ErrorMessage error={error} />
      <button type="submit" className="primary" disabled={isBusy}>
        {t('complete.save')}
      </button>
    </form>
  );
}
