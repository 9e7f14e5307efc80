import type { ReactNode } from 'react';
import { useI18n } from '../../i18n/i18n.tsx';

/** The VIP and unverified marks of a customer. */
export function CustomerMarks(props: {
  readonly customer: { readonly isVip: boolean; readonly isVerified: boolean };
}): ReactNode {
  const { t } = useI18n();
  return (
    <>
      {props.customer.isVip && <span className="badge vip">{t('customers.vip')}</span>}
      {!props.customer.isVerified && <span className="badge unverified">{t('customers.unverified')}</span>}
    </>
  );
}
