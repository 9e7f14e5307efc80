import { useCallback } from 'react';
import { useSession } from '../../app/session.tsx';
import { useLoad } from '../../app/use-load.ts';
import { useI18n } from '../../i18n/i18n.tsx';

/** A wrap-up outcome of the tenant as `GET /api/dispositions` gives it. */
interface DispositionLabel {
  readonly code: string;
  readonly labelEs: string;
  readonly labelEn: string;
}

/**
 * The label of a disposition code in the UI's language, retired ones included (past contacts keep theirs); the
 * code itself while the list loads or when it cannot be read.
 */
export function useDispositionLabels(): (code: string) => string {
  const { api } = useSession();
  const { language } = useI18n();
  const loaded = useLoad(
    () => api.get<DispositionLabel[]>('/api/dispositions', { includeInactive: true }),
    'dispositions',
  );
  const dispositions = loaded.data;
  return useCallback(
    (code: string): string => {
      const found = dispositions?.find((candidate) => candidate.code === code);
      if (found === undefined) return code;
      return language === 'es' ? found.labelEs : found.labelEn;
    },
    [dispositions, language],
  );
}
