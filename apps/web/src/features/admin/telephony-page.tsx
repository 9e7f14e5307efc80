import { Fragment, useState } from 'react';
import type { ReactNode, SubmitEvent } from 'react';
import { ErrorMessage } from '../../app/error-message.tsx';
import { useCan, useSession } from '../../app/session.tsx';
import { useLoad } from '../../app/use-load.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { formText } from './form-text.ts';

interface Trunk {
  readonly id: string;
  readonly name: string;
  readonly inboundAddresses: readonly string[];
  readonly outbound: {
    readonly host: string;
    /** Null: found in DNS (RFC 3263). */
    readonly port: number | null;
    readonly transport: string | null;
    readonly username: string | null;
    readonly hasSecret: boolean;
  } | null;
}

interface Did {
  readonly id: string;
  readonly number: string;
  readonly flowKey: string;
  readonly description: string;
}

/**
 * The tenant's SIP trunks (who may send calls, where outbound calls go) and numbers (which flow answers
 * each). Supervisors see them; admins and managers change them. Secrets are write-only.
 */
export function TelephonyPage(): ReactNode {
  const { t } = useI18n();
  const { api } = useSession();
  const canManage = useCan('telephony:manage');
  const trunks = useLoad(() => api.get<Trunk[]>('/api/sip-trunks'), 'trunks');
  const dids = useLoad(() => api.get<Did[]>('/api/dids'), 'dids');
  const flows = useLoad(
    () => (canManage ? api.get<{ key: string; name: string }[]>('/api/flows') : Promise.resolve([])),
    'flows',
  );
  const [error, setError] = useState<unknown>(null);
  const [editingId, setEditingId] = useState<string | null>(null);

  const act = (work: () => Promise<unknown>, reload: () => void): void => {
    setError(null);
    work().then(reload, setError);
  };

  return (
    <section>
      <h1 tabIndex={-1}>{t('telephony.title')}</h1>
      {!canManage && <p className="notice">{t('telephony.readOnly')}</p>}
      <ErrorMessage error={error ?? trunks.error ?? dids.error} />
      <section className="card" aria-labelledby="trunks-title">
        <h2 id="trunks-title">{t('telephony.trunks')}</h2>
        <table className="table" data-testid="trunks">
          <thead>
            <tr>
              <th scope="col">{t('telephony.trunkName')}</th>
              <th scope="col">{t('telephony.inbound')}</th>
              <th scope="col">{t('telephony.outbound')}</th>
              {canManage && <th scope="col">{t('common.actions')}</th>}
            </tr>
          </thead>
          <tbody>
            {(trunks.data ?? []).map((trunk) => (
              <Fragment key={trunk.id}>
                <tr data-trunk={trunk.name}>
                  <td>{trunk.name}</td>
                  <td>{trunk.inboundAddresses.join(', ') || '—'}</td>
                  <td>
                    {trunk.outbound === null
                      ? t('telephony.noOutbound')
                      : `${trunk.outbound.host}${trunk.outbound.port === null ? '' : `:${String(trunk.outbound.port)}`} (${
                          trunk.outbound.transport ?? t('telephony.transportByDns')
                        })${
                          trunk.outbound.username === null ? '' : ` · ${trunk.outbound.username}`
                        }${trunk.outbound.hasSecret ? ` · ${t('telephony.secretSet')}` : ''}`}
                  </td>
                  {canManage && (
                    <td>
                      <div className="actions">
                        <button
                          type="button"
                          aria-label={t('telephony.editNamed', { name: trunk.name })}
                          aria-expanded={editingId === trunk.id}
                          onClick={() => {
                            setEditingId(editingId === trunk.id ? null : trunk.id);
                          }}
                        >
                          {t('common.edit')}
                        </button>
                        <button
                          type="button"
                          className="danger"
                          aria-label={t('telephony.deleteNamed', { name: trunk.name })}
                          onClick={() => {
                            act(() => api.delete(`/api/sip-trunks/${trunk.id}`), trunks.reload);
                          }}
                        >
                          {t('telephony.delete')}
                        </button>
                      </div>
                    </td>
                  )}
                </tr>
                {canManage && editingId === trunk.id && (
                  <tr className="editing">
                    <td colSpan={4}>
                      <TrunkForm
                        trunk={trunk}
                        label={t('telephony.editNamed', { name: trunk.name })}
                        submitLabel={t('common.save')}
                        save={(body) => api.patch(`/api/sip-trunks/${trunk.id}`, body)}
                        onSaved={() => {
                          setEditingId(null);
                          trunks.reload();
                        }}
                        onCancel={() => {
                          setEditingId(null);
                        }}
                      />
                    </td>
                  </tr>
                )}
              </Fragment>
            ))}
          </tbody>
        </table>
        {canManage && (
          <TrunkForm
            label={t('telephony.addTrunk')}
            submitLabel={t('telephony.addTrunk')}
            save={(body) => api.post('/api/sip-trunks', body)}
            onSaved={trunks.reload}
          />
        )}
      </section>
      <section className="card" aria-labelledby="numbers-title">
        <h2 id="numbers-title">{t('telephony.numbers')}</h2>
        <table className="table" data-testid="numbers">
          <thead>
            <tr>
              <th scope="col">{t('telephony.number')}</th>
              <th scope="col">{t('telephony.flow')}</th>
              <th scope="col">{t('telephony.description')}</th>
              {canManage && <th scope="col">{t('common.actions')}</th>}
            </tr>
          </thead>
          <tbody>
            {(dids.data ?? []).map((did) => (
              <tr key={did.id} data-number={did.number}>
                <td>{did.number}</td>
                <td>
                  {canManage ? (
                    <select
                      aria-label={t('telephony.changeFlow', { number: did.number })}
                      value={did.flowKey}
                      onChange={(event) => {
                        const flowKey = event.target.value;
                        act(() => api.patch(`/api/dids/${did.id}`, { flowKey }), dids.reload);
                      }}
                    >
                      {(flows.data ?? []).map((flow) => (
                        <option key={flow.key} value={flow.key}>
                          {flow.name} ({flow.key})
                        </option>
                      ))}
                    </select>
                  ) : (
                    did.flowKey
                  )}
                </td>
                <td>{did.description || '—'}</td>
                {canManage && (
                  <td>
                    <button
                      type="button"
                      className="danger"
                      aria-label={t('telephony.deleteNamed', { name: did.number })}
                      onClick={() => {
                        act(() => api.delete(`/api/dids/${did.id}`), dids.reload);
                      }}
                    >
                      {t('telephony.delete')}
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
        {canManage && (
          <form
            className="inline-form"
            onSubmit={(event: SubmitEvent<HTMLFormElement>) => {
              event.preventDefault();
              const form = new FormData(event.currentTarget);
              const target = event.currentTarget;
              act(
                () =>
                  api.post('/api/dids', {
                    number: formText(form.get('number')),
                    flowKey: formText(form.get('flowKey')),
                    description: formText(form.get('description')),
                  }),
                () => {
                  target.reset();
                  dids.reload();
                },
              );
            }}
          >
            <label>
              {t('telephony.number')} <input name="number" required placeholder="+34 910 000 001" />
            </label>{' '}
            <label>
              {t('telephony.flow')}{' '}
              <select name="flowKey" required>
                {(flows.data ?? []).map((flow) => (
                  <option key={flow.key} value={flow.key}>
                    {flow.name} ({flow.key})
                  </option>
                ))}
              </select>
            </label>{' '}
            <label>
              {t('telephony.description')} <input name="description" />
            </label>{' '}
            <button type="submit">{t('telephony.addNumber')}</button>
          </form>
        )}
      </section>
    </section>
  );
}

/**
 * A trunk's name, inbound addresses and outbound server: a new one, or changes to `trunk` (a password left
 * empty keeps the stored one, which is never shown). A refusal is shown on the form, with the field it names.
 */
function TrunkForm(props: {
  readonly trunk?: Trunk;
  readonly label: string;
  readonly submitLabel: string;
  readonly save: (body: unknown) => Promise<unknown>;
  readonly onSaved: () => void;
  readonly onCancel?: () => void;
}): ReactNode {
  const { t } = useI18n();
  const [error, setError] = useState<unknown>(null);
  const { trunk } = props;
  const outbound = trunk?.outbound ?? null;
  const submit = (event: SubmitEvent<HTMLFormElement>): void => {
    event.preventDefault();
    const target = event.currentTarget;
    const form = new FormData(target);
    const text = (name: string): string => formText(form.get(name)).trim();
    const host = text('host');
    const username = text('username');
    const secret = text('secret');
    setError(null);
    props
      .save({
        name: text('name'),
        inboundAddresses: text('inboundAddresses')
          .split(',')
          .map((part) => part.trim())
          .filter((part) => part !== ''),
        outbound:
          host === ''
            ? null
            : {
                host,
                // Left empty, the port and the transport are found in the carrier's DNS (NAPTR, SRV).
                port: text('port') === '' ? null : Number(text('port')),
                transport: text('transport') === '' ? null : text('transport'),
                username: username === '' ? null : username,
                // Left empty, a new trunk has none and a changed one keeps the stored one.
                ...(secret === '' ? {} : { secret }),
              },
      })
      .then(() => {
        if (trunk === undefined) target.reset();
        props.onSaved();
      }, setError);
  };
  return (
    <form className="stacked narrow" onSubmit={submit} aria-label={props.label}>
      <label>
        {t('telephony.trunkName')}
        <input name="name" required defaultValue={trunk?.name} />
      </label>
      <label>
        {t('telephony.inboundAddresses')}
        <input
          name="inboundAddresses"
          placeholder="192.0.2.10, 198.51.100.0/24"
          defaultValue={trunk?.inboundAddresses.join(', ')}
        />
      </label>
      <label>
        {t('telephony.outboundHost')}
        <input name="host" placeholder="sip.carrier.example" defaultValue={outbound?.host} />
      </label>
      <label>
        {t('telephony.outboundPort')}
        <input
          name="port"
          type="number"
          min={1}
          max={65535}
          placeholder={t('telephony.portByDns')}
          defaultValue={outbound?.port ?? undefined}
        />
      </label>
      <label>
        {t('telephony.outboundTransport')}
        <select name="transport" defaultValue={outbound?.transport ?? ''}>
          <option value="">{t('telephony.transportByDns')}</option>
          <option value="udp">UDP</option>
          <option value="tcp">TCP</option>
          <option value="tls">TLS</option>
        </select>
      </label>
      <label>
        {t('telephony.outboundUsername')}
        <input name="username" autoComplete="off" defaultValue={outbound?.username ?? undefined} />
      </label>
      <label>
        {t('telephony.outboundSecret')}
        <input
          name="secret"
          type="password"
          autoComplete="new-password"
          placeholder={outbound?.hasSecret === true ? t('telephony.secretKept') : undefined}
        />
      </label>
      <ErrorMessage error={error} />
      <div className="actions">
        <button type="submit">{props.submitLabel}</button>
        {props.onCancel !== undefined && (
          <button type="button" onClick={props.onCancel}>
            {t('common.cancel')}
          </button>
        )}
      </div>
    </form>
  );
}
