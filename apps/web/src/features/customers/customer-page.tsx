import type { ReactNode } from 'react';
import { Link } from '../../app/router.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { CustomerProfile } from './customer-profile.tsx';

/** A customer's profile on its own page (from a search result or a ticket). */
export function CustomerPage(props: { readonly customerId: string }): ReactNode {
  const { t } = useI18n();
  return (
    <section>
      <p>
        <Link to="/customers">← {t('customers.backToSearch')}</Link>
      </p>
      <h1 tabIndex={-1}>{t('profile.title')}</h1>
      <CustomerProfile customerId={props.customerId} />
    </section>
  );
}
