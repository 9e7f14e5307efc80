import type { ReactNode } from 'react';
import { useI18n } from '../i18n/i18n.tsx';
import { ApiError } from './api-client.ts';
import type { FieldProblem } from './api-types.ts';
import { fieldProblemMessage, problemMessage, serverDetail } from './problem-message.ts';

/** Every problem with the path of its field (RFC 9457 `errors`, IVR validation), in the user's language when its code has a message. */
export function ProblemList(props: { readonly problems: readonly FieldProblem[] }): ReactNode {
  const { t } = useI18n();
  if (props.problems.length === 0) return null;
  return (
    <ul className="problems" aria-label={t('common.problems')} data-testid="problems">
      {props.problems.map((problem, index) => (
        <li key={`${problem.field}-${index}`}>
          <code className="path">{problem.field === '' ? '/' : problem.field}</code>{' '}
          {fieldProblemMessage(t, problem)}
          {problem.code !== undefined && <span className="muted"> ({problem.code})</span>}
        </li>
      ))}
    </ul>
  );
}

/** Shows what went wrong, in the user's language, and every problem the server listed. */
export function ErrorMessage(props: { readonly error: unknown }): ReactNode {
  const { t } = useI18n();
  if (props.error === null || props.error === undefined) return null;
  const detail = serverDetail(props.error);
  return (
    <div className="error" role="alert">
      <p>{problemMessage(t, props.error)}</p>
      {detail !== undefined && <p className="muted">{t('error.serverDetail', { detail })}</p>}
      <ProblemList problems={props.error instanceof ApiError ? props.error.problems : []} />
    </div>
  );
}
