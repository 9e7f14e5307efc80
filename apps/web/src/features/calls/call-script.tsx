import { useEffect, useState } from 'react';
import type { ReactNode } from 'react';
import { useSession } from '../../app/session.tsx';
import type { MessageKey } from '../../i18n/catalog.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { scriptMessagesEs } from './script-messages.ts';
import { usePhoneText } from '../../app/phone-text.ts';

/** A script as `GET /api/interactions/:id/script` renders it for this contact. */
interface RenderedScript {
  readonly name: string;
  readonly segments: readonly (
    | { readonly kind: 'text'; readonly text: string }
    | { readonly kind: 'field'; readonly field: string; readonly value: string | null }
  )[];
}

type FieldKey = Extract<MessageKey, `scriptField.${string}`>;

/** The key of a field's label: custom fields share one ("a customer detail"), named by their key. */
function fieldLabelKey(field: string): FieldKey {
  if (field.startsWith('customer.custom.')) return 'scriptField.customer.custom';
  const key = `scriptField.${field}`;
  return (key in scriptMessagesEs ? key : 'scriptField.customer.custom') as FieldKey;
}

/**
 * The call script of the contact's queue with the customer's fields filled in (highlighted), and the fields
 * the record lacks marked for the agent to ask. Nothing when the queue has no script.
 */
export function CallScript(props: { readonly interactionId: string }): ReactNode {
  const { t, language } = useI18n();
  const { api } = useSession();
  const phone = usePhoneText();
  const [script, setScript] = useState<RenderedScript | null>(null);

  useEffect(() => {
    api
      .get<RenderedScript>(`/api/interactions/${props.interactionId}/script`, { language })
      .then(setScript, () => {
        setScript(null);
      });
  }, [api, props.interactionId, language]);

  if (script === null) return null;
  return (
    <details className="call-script" open>
      <summary>
        {t('script.title')}: {script.name}
      </summary>
      <p className="call-script-text" data-testid="call-script">
        {script.segments.map((segment, index) =>
          segment.kind === 'text' ? (
            segment.text
          ) : segment.value === null ? (
            <span
              key={index}
              className="script-missing"
              title={t('script.missing', { field: segment.field })}
            >
              [{t(fieldLabelKey(segment.field))}
              {segment.field.startsWith('customer.custom.') ? `: ${segment.field.slice(16)}` : ''}]
            </span>
          ) : (
            <mark key={index} title={segment.field}>
              {/* A number the agent reads out to confirm is grouped as people say it. */}
              {segment.field === 'customer.phone' ? phone(segment.value) : segment.value}
            </mark>
          ),
        )}
      </p>
    </details>
  );
}
