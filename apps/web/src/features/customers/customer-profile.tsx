import type { ReactNode } from 'react';
import type { Customer, Interaction, Page, TicketSummary } from '../../app/api-types.ts';
import { ErrorMessage } from '../../app/error-message.tsx';
import { useDomainEvents } from '../../app/event-stream.tsx';
import { Link } from '../../app/router.tsx';
import { useCan, useSession } from '../../app/session.tsx';
import { useLoad } from '../../app/use-load.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { CallButton } from '../calls/call-button.tsx';
import { useDispositionLabels } from '../calls/use-dispositions.ts';
import { NewTicketForm } from '../tickets/new-ticket-form.tsx';
import { useTicketStatuses } from '../tickets/use-ticket-statuses.ts';
import { CompleteCustomerForm } from './complete-customer-form.tsx';
import { CustomerMarks } from './customer-marks.tsx';
import { usePhoneText } from '../../app/phone-text.ts';

interface ProfileData {
  readonly customer: Customer;
  readonly interactions: Page<Interaction>;
  readonly tickets: Page<TicketSummary>;
}

/** How many past contacts the screen pop lists. */
const recentInteractionCount = 10;

/**
 * The screen pop: who the customer is, how to reach them, their marks, tags and fields, their last contacts on
 * every channel and their open tickets. An incoming call will show the same component.
 */
export function CustomerProfile(props: { readonly customerId: string }): ReactNode {
  const { t, formatDateTime } = useI18n();
  const { api } = useSession();
  const canWriteCustomers = useCan('customers:write');
  const canWriteTickets = useCan('tickets:write');
  const { labelOf } = useTicketStatuses();
  const dispositionLabel = useDispositionLabels();
  const phone = usePhoneText();
  const loaded = useLoad<ProfileData>(async () => {
    const [customer, interactions, tickets] = await Promise.all([
      api.get<Customer>(`/api/customers/${props.customerId}`),
      api.get<Page<Interaction>>('/api/interactions', {
        customerId: props.customerId,
        limit: recentInteractionCount,
      }),
      api.get<Page<TicketSummary>>('/api/tickets', { customerId: props.customerId, limit: 50 }),
    ]);
    return { customer, interactions, tickets };
  }, props.customerId);
  // Live: another agent, an integration or a call changed this customer, their tickets or their contacts.
  useDomainEvents((event) => {
    const isAboutCustomer = event.data.customerId === props.customerId;
    switch (event.type) {
      case 'TicketCreated':
      case 'CustomerUpdated':
      case 'InteractionRecorded':
        if (isAboutCustomer) loaded.reload();
        break;
      case 'TicketUpdated':
        if (loaded.data?.tickets.items.some((ticket) => ticket.id === event.data.ticketId) === true)
          loaded.reload();
        break;
      case 'InteractionUpdated':
        if (loaded.data?.interactions.items.some((item) => item.id === event.data.interactionId) === true)
          loaded.reload();
        break;
      default:
        break;
    }
  });

  if (loaded.error !== null) return <ErrorMessage error={loaded.error} />;
  if (loaded.data === null) return <p className="loading">{t('common.loading')}</p>;
  const { customer, interactions, tickets } = loaded.data;
  const openTickets = tickets.items.filter(
    (ticket) => ticket.statusCategory === 'open' || ticket.statusCategory === 'needs_follow_up',
  );
  const fields = Object.entries(customer.customFields);

  return (
    <article className="profile" data-testid="customer-profile" aria-labelledby="profile-name">
      <header className="profile-header">
        <h2 id="profile-name">
          {customer.displayName === '' ? t('customers.noName') : customer.displayName}
        </h2>
        <CustomerMarks customer={customer} />
        {customer.company !== '' && <p className="muted">{customer.company}</p>}
      </header>
      {!customer.isVerified && canWriteCustomers && (
        <CompleteCustomerForm customer={customer} onSaved={loaded.reload} />
      )}
      <div className="profile-grid">
        <section aria-labelledby="contact-title" className="card">
          <h3 id="contact-title">{t('profile.contact')}</h3>
          <ul className="plain">
            {customer.identities.map((identity) => (
              <li key={identity.id}>
                <span className="muted">{t(`identity.${identity.kind}`)}</span>{' '}
                {identity.kind === 'phone' || identity.kind === 'whatsapp'
                  ? phone(identity.address)
                  : identity.address}
                {identity.label !== '' && <span className="muted"> ({identity.label})</span>}
                {identity.kind === 'phone' && <CallButton number={identity.address} />}
              </li>
            ))}
          </ul>
          {customer.tags.length > 0 && (
            <>
              <h3>{t('profile.tags')}</h3>
              <ul className="tags">
                {customer.tags.map((tag) => (
                  <li key={tag} className="tag">
                    {tag}
                  </li>
                ))}
              </ul>
            </>
          )}
          {fields.length > 0 && (
            <>
              <h3>{t('profile.fields')}</h3>
              <dl className="fields">
                {fields.map(([name, value]) => (
                  <div key={name}>
                    <dt>{name}</dt>
                    <dd>{value === null ? '' : String(value)}</dd>
                  </div>
                ))}
              </dl>
            </>
          )}
          {customer.notes !== '' && <p className="notes">{customer.notes}</p>}
        </section>
        <section aria-labelledby="tickets-title" className="card">
          <h3 id="tickets-title">{t('profile.openTickets')}</h3>
          {openTickets.length === 0 ? (
            <p className="muted">{t('profile.noOpenTickets')}</p>
          ) : (
            <ul className="plain" data-testid="open-tickets">
              {openTickets.map((ticket) => (
                <li key={ticket.id}>
                  <Link to={`/tickets/${ticket.id}`}>
                    #{ticket.number} {ticket.subject}
                  </Link>{' '}
                  <span className={`badge status-${ticket.statusCategory}`}>{labelOf(ticket.status)}</span>
                </li>
              ))}
            </ul>
          )}
          {canWriteTickets && <NewTicketForm customerId={customer.id} />}
        </section>
      </div>
      <section aria-labelledby="history-title" className="card">
        <h3 id="history-title">{t('profile.history', { count: interactions.total })}</h3>
        {interactions.items.length === 0 ? (
          <p className="muted">{t('profile.noHistory')}</p>
        ) : (
          <table className="table" data-testid="customer-history">
            <thead>
              <tr>
                <th scope="col">{t('profile.when')}</th>
                <th scope="col">{t('profile.channel')}</th>
                <th scope="col">{t('profile.subject')}</th>
                <th scope="col">{t('profile.queue')}</th>
                <th scope="col">{t('profile.agent')}</th>
                <th scope="col">{t('profile.disposition')}</th>
              </tr>
            </thead>
            <tbody>
              {interactions.items.map((interaction) => (
                <tr key={interaction.id}>
                  <td>{formatDateTime(interaction.startedAt)}</td>
                  <td>
                    {t(`channel.${interaction.channel}`)} · {t(`direction.${interaction.direction}`)}
                  </td>
                  <td>{interaction.subject}</td>
                  <td>{interaction.queueName ?? ''}</td>
                  <td>{interaction.agentName ?? ''}</td>
                  <td>
                    {interaction.disposition !== null
                      ? dispositionLabel(interaction.disposition)
                      : interaction.status === 'abandoned' || interaction.status === 'missed'
                        ? t(`profile.outcome.${interaction.status}`)
                        : ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </article>
  );
}
