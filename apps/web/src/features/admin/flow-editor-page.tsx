import { useEffect, useState } from 'react';
import type { SubmitEvent, ReactNode } from 'react';
import type { FieldProblem, Flow, FlowTestRun } from '../../app/api-types.ts';
import { ErrorMessage, ProblemList } from '../../app/error-message.tsx';
import { Link } from '../../app/router.tsx';
import { useCan, useSession } from '../../app/session.tsx';
import { useLoad } from '../../app/use-load.ts';
import { useI18n } from '../../i18n/i18n.tsx';

/** What the editor last learnt about the document. */
type Outcome =
  | { readonly kind: 'none' }
  | { readonly kind: 'invalidJson'; readonly message: string }
  | { readonly kind: 'valid' }
  | { readonly kind: 'problems'; readonly problems: readonly FieldProblem[] }
  | { readonly kind: 'saved'; readonly version: number }
  | { readonly kind: 'published'; readonly version: number }
  | { readonly kind: 'failed'; readonly error: unknown };

/** Splits the tester's digits box into one entry per time the flow collects keys: "1, 40071#" -> ["1", "40071#"]. */
export function parseDigitEntries(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

/** The JSON editor of one flow: validate through the API, save the draft, publish it, and the flow tester. */
export function FlowEditorPage(props: { readonly flowKey: string }): ReactNode {
  const { t } = useI18n();
  const { api } = useSession();
  const canManage = useCan('flows:manage');
  const path = `/api/flows/${encodeURIComponent(props.flowKey)}`;
  const loaded = useLoad(() => api.get<Flow>(path), props.flowKey);
  const flow = loaded.data;
  const [text, setText] = useState('');
  const [outcome, setOutcome] = useState<Outcome>({ kind: 'none' });
  const [isBusy, setBusy] = useState(false);

  useEffect(() => {
    if (flow !== null) setText(JSON.stringify((flow.draft ?? flow.published)?.document ?? {}, null, 2));
  }, [flow]);

  /** The editor's document, or null after telling the user it is not JSON. */
  const parsedDocument = (): unknown => {
    try {
      return JSON.parse(text);
    } catch (error) {
      setOutcome({ kind: 'invalidJson', message: error instanceof Error ? error.message : String(error) });
      return null;
    }
  };

  const run = (work: () => Promise<Outcome>): void => {
    setBusy(true);
    work().then(
      (next) => {
        setBusy(false);
        setOutcome(next);
      },
      (error: unknown) => {
        setBusy(false);
        setOutcome({ kind: 'failed', error });
      },
    );
  };

  const validate = (): void => {
    const document = parsedDocument();
    if (document === null) return;
    run(async () => {
      const result = await api.post<{ isValid: boolean; errors: FieldProblem[] }>(`${path}/validate`, {
        document,
      });
      return result.isValid ? { kind: 'valid' } : { kind: 'problems', problems: result.errors };
    });
  };

  const save = (): void => {
    const document = parsedDocument();
    if (document === null) return;
    run(async () => {
      const version = await api.put<{ number: number }>(`${path}/draft`, { document });
      loaded.reload();
      return { kind: 'saved', version: version.number };
    });
  };

  const publish = (): void => {
    const draftVersion = flow?.draftVersion ?? null;
    if (draftVersion === null) return;
    run(async () => {
      await api.post(`${path}/versions/${draftVersion}/publish`);
      loaded.reload();
      return { kind: 'published', version: draftVersion };
    });
  };

  return (
    <section>
      <p>
        <Link to="/admin/flows">← {t('flows.title')}</Link>
      </p>
      <h1 tabIndex={-1}>{flow === null ? props.flowKey : flow.name}</h1>
      <ErrorMessage error={loaded.error} />
      {flow !== null && (
        <>
          <p className="muted">
            {t('flows.versions', {
              published: flow.publishedVersion === null ? '—' : `v${flow.publishedVersion}`,
              draft: flow.draftVersion === null ? '—' : `v${flow.draftVersion}`,
            })}
          </p>
          <label className="stacked">
            {t('flows.document')}
            <textarea
              className="code"
              name="document"
              spellCheck={false}
              rows={22}
              value={text}
              onChange={(event) => {
                setText(event.target.value);
              }}
            />
          </label>
          <div className="actions">
            <button type="button" onClick={validate} disabled={isBusy}>
              {t('flows.validate')}
            </button>
            {canManage && (
              <>
                <button type="button" className="primary" onClick={save} disabled={isBusy}>
                  {t('flows.saveDraft')}
                </button>
                <button type="button" onClick={publish} disabled={isBusy || flow.draftVersion === null}>
                  {flow.draftVersion === null
                    ? t('flows.publish')
                    : t('flows.publishVersion', { version: flow.draftVersion })}
                </button>
              </>
            )}
          </div>
          <OutcomeMessage outcome={outcome} />
          <FlowTester path={path} documentText={text} />
        </>
      )}
    </section>
  );
}

function OutcomeMessage(props: { readonly outcome: Outcome }): ReactNode {
  const { t } = useI18n();
  const { outcome } = props;
  switch (outcome.kind) {
    case 'none':
      return null;
    case 'invalidJson':
      return (
        <div className="error" role="alert">
          <p>{t('flows.invalidJson', { message: outcome.message })}</p>
        </div>
      );
    case 'valid':
      return (
        <p role="status" className="notice">
          {t('flows.valid')}
        </p>
      );
    case 'problems':
      return (
        <div className="error" role="alert">
          <p>{t('flows.problems', { count: outcome.problems.length })}</p>
          <ProblemList problems={outcome.problems} />
        </div>
      );
    case 'saved':
      return (
        <p role="status" className="notice">
          {t('flows.saved', { version: outcome.version })}
        </p>
      );
    case 'published':
      return (
        <p role="status" className="notice">
          {t('flows.publishedNotice', { version: outcome.version })}
        </p>
      );
    case 'failed':
      return <ErrorMessage error={outcome.error} />;
  }
}

function FlowTester(props: { readonly path: string; readonly documentText: string }): ReactNode {
  const { t } = useI18n();
  const { api } = useSession();
  const [callerId, setCallerId] = useState('');
  const [digits, setDigits] = useState('');
  const [result, setResult] = useState<FlowTestRun | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [jsonError, setJsonError] = useState<string | null>(null);

  const test = (event: SubmitEvent): void => {
    event.preventDefault();
    setError(null);
    setResult(null);
    setJsonError(null);
    // The tester runs what is in the editor, saved or not.
    let document: unknown;
    try {
      document = JSON.parse(props.documentText);
    } catch (failure) {
      setJsonError(failure instanceof Error ? failure.message : String(failure));
      return;
    }
    api
      .post<FlowTestRun>(`${props.path}/test`, {
        callerId: callerId.trim() === '' ? null : callerId.trim(),
        digits: parseDigitEntries(digits),
        document,
      })
      .then(setResult, setError);
  };

  return (
    <form onSubmit={test} className="card stacked" aria-labelledby="tester-title">
      <h2 id="tester-title">{t('flows.tester')}</h2>
      <p className="muted">{t('flows.testerIntro')}</p>
      <div className="row">
        <label>
          {t('flows.callerId')}
          <input
            name="callerId"
            value={callerId}
            onChange={(event) => {
              setCallerId(event.target.value);
            }}
          />
        </label>
        <label className="grow">
          {t('flows.digits')}
          <input
            name="digits"
            value={digits}
            placeholder="1, 40071#"
            onChange={(event) => {
              setDigits(event.target.value);
            }}
          />
        </label>
      </div>
      <button type="submit">{t('flows.runTest')}</button>
      <ErrorMessage error={error} />
      {jsonError !== null && (
        <div className="error" role="alert">
          <p>{t('flows.invalidJson', { message: jsonError })}</p>
        </div>
      )}
      {result !== null && (
        <pre className="transcript" data-testid="transcript">
          {result.transcript}
        </pre>
      )}
    </form>
  );
}
