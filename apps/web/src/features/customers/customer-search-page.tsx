import { useEffect, useState } from 'react';
import type { SubmitEvent, ReactNode } from 'react';
import type { Customer, Page } from '../../app/api-types.ts';
import { ErrorMessage } from '../../app/error-message.tsx';
import { Link } from '../../app/router.tsx';
import { useSession } from '../../app/session.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { CustomerMarks } from './customer-marks.tsx';
import { usePhoneText } from '../../app/phone-text.ts';

/** One box finds customers by name, company, e-mail or phone number written in any format. */
export function CustomerSearchPage(): ReactNode {
  const { t } = useI18n();
  const phone = usePhoneText();
  const { api } = useSession();
  // The last search lives in the address (?q=), so Back from a profile shows the same results again.
  const [query, setQuery] = useState(() => new URLSearchParams(window.location.search).get('q') ?? '');
  const [result, setResult] = useState<Page<Customer> | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [isBusy, setBusy] = useState(false);

  const runSearch = (text: string): void => {
    setBusy(true);
    setError(null);
    api.get<Page<Customer>>('/api/customers', { search: text, limit: 25 }).then(
      (page) => {
        setResult(page);
        setBusy(false);
      },
      (failure: unknown) => {
        setError(failure);
        setBusy(false);
      },
    );
  };

  const search = (event: SubmitEvent): void => {
    event.preventDefault();
    const text = query.trim();
    window.history.replaceState(null, '', `/customers?q=${encodeURIComponent(text)}`);
    runSearch(text);
  };

  useEffect(() => {
    if (query.trim() !== '') runSearch(query.trim());
    // Only the search in the address when the screen opens; later ones come from the form.
  }, []);

  return (
    <section>
      <h1 tabIndex={-1}>{t('customers.title')}</h1>
      <form role="search" onSubmit={search} className="inline-form">
        <label className="grow">
          {t('customers.searchLabel')}
          <input
            type="search"
            name="search"
            value={query}
            placeholder={t('customers.searchPlaceholder')}
            onChange={(event) => {
              setQuery(event.target.value);
            }}
            autoFocus
          />
        </label>
        <button type="submit" className="primary" disabled={isBusy}>
          {t('customers.searchButton')}
        </button>
      </form>
      <ErrorMessage error={error} />
      {result !== null && (
        <>
          <p aria-live="polite">{t('customers.resultCount', { count: result.total })}</p>
          {result.items.length > 0 && (
            <table className="table" data-testid="customer-results">
              <thead>
                <tr>
                  <th scope="col">{t('customers.name')}</th>
                  <th scope="col">{t('customers.company')}</th>
                  <th scope="col">{t('identity.phone')}</th>
                  <th scope="col">{t('identity.email')}</th>
                  <th scope="col">{t('customers.marks')}</th>
                </tr>
              </thead>
              <tbody>
                {result.items.map((customer) => (
                  <tr key={customer.id}>
                    <td>
                      <Link to={`/customers/${customer.id}`}>
                        {customer.displayName === '' ? t('customers.noName') : customer.displayName}
                      </Link>
                    </td>
                    <td>{customer.company}</td>
                    <td>
                      {phone(
                        customer.identities.find((identity) => identity.kind === 'phone')?.address ?? '',
                      )}
                    </td>
                    <td>
                      {customer.identities.find((identity) => identity.kind === 'email')?.address ?? ''}
                    </td>
                    <td>
                      <CustomerMarks customer={customer} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}
