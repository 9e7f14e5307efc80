import { useCallback } from 'react';
import type { TicketStatus } from '../../app/api-types.ts';
import { useSession } from '../../app/session.tsx';
import { useLoad } from '../../app/use-load.ts';
import { useI18n } from '../../i18n/i18n.tsx';

/** The tenant's ticket statuses (built-in and custom) and their labels in the UI's language. */
export function useTicketStatuses(): {
  readonly statuses: readonly TicketStatus[];
  readonly labelOf: (code: string) => string;
} {
  const { api } = useSession();
  const { language } = useI18n();
  const loaded = useLoad(() => api.get<TicketStatus[]>('/api/ticket-statuses'), 'ticket-statuses');
  const statuses = loaded.data ?? [];
  const labelOf = useCallback(
    (code: string): string => {
      const status = statuses.find((candidate) => candidate.code === code);
      if (status === undefined) return code;
      return language === 'es' ? status.labelEs : status.labelEn;
    },
    [statuses, language],
  );
  return { statuses, labelOf };
}
