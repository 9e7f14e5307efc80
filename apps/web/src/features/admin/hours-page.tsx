import { useEffect, useState } from 'react';
import type { ReactNode } from 'react';
import type { FieldProblem, Flow, FlowSummary } from '../../app/api-types.ts';
import { ErrorMessage } from '../../app/error-message.tsx';
import { fieldProblemMessage } from '../../app/problem-message.ts';
import { useSession } from '../../app/session.tsx';
import { useLoad } from '../../app/use-load.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { hoursCalendar, referencedNames, weekdays } from './hours-model.ts';
import type { Holiday, Interval, Weekday, WeeklySchedule } from './hours-model.ts';

/** HH:MM from 00:00 to 24:00 (the end of the day). */
const clockPattern = '([01][0-9]|2[0-3]):[0-5][0-9]|24:00';

type Schedules = Readonly<Record<string, WeeklySchedule>>;
type Calendars = Readonly<Record<string, readonly Holiday[]>>;

type Outcome =
  | { readonly kind: 'none' }
  | { readonly kind: 'problems'; readonly problems: readonly FieldProblem[] }
  | { readonly kind: 'published'; readonly version: number }
  | { readonly kind: 'failed'; readonly error: unknown };

/** The record with one key renamed, keeping its place among the others. */
function renameKey<T>(record: Readonly<Record<string, T>>, from: string, to: string): Record<string, T> {
  return Object.fromEntries(
    Object.entries(record).map(([name, value]) => [name === from ? to : name, value]),
  );
}

/**
 * The flow's nodes with every `businessHours` condition naming schedule `from` (or every `holiday` condition
 * naming calendar `from`) pointed at `to` instead, at any depth, so a rename does not break the flow.
 */
function renameReferences(
  value: unknown,
  kind: 'businessHours' | 'holiday',
  from: string,
  to: string,
): unknown {
  if (Array.isArray(value)) return value.map((item) => renameReferences(item, kind, from, to));
  if (typeof value !== 'object' || value === null) return value;
  const field = kind === 'businessHours' ? 'schedule' : 'calendar';
  const entries = Object.entries(value as Record<string, unknown>).map(([name, child]) => [
    name,
    renameReferences(child, kind, from, to),
  ]);
  const record = Object.fromEntries(entries) as Record<string, unknown>;
  return record['kind'] === kind && record[field] === from ? { ...record, [field]: to } : record;
}

/** A name field and a button renaming a schedule or calendar; refused when empty or already taken. */
function RenameControl(props: {
  readonly name: string;
  readonly taken: readonly string[];
  readonly label: string;
  readonly onRename: (to: string) => void;
}): ReactNode {
  const { t } = useI18n();
  const [to, setTo] = useState(props.name);
  const trimmed = to.trim();
  return (
    <span className="interval">
      <input
        aria-label={props.label}
        value={to}
        maxLength={64}
        onChange={(event) => {
          setTo(event.target.value);
        }}
      />
      <button
        type="button"
        disabled={trimmed === '' || trimmed === props.name || props.taken.includes(trimmed)}
        onClick={() => {
          props.onRename(trimmed);
        }}
      >
        {t('hours.rename')}
      </button>
    </span>
  );
}

/**
 * Business hours and holidays, edited as forms rather than JSON: a flow's weekly schedules (opening intervals
 * per weekday) and holiday calendars (a date or the same date every year, with a name). Saving validates the
 * whole flow, stores it as a draft and publishes it; a schedule or calendar the flow's conditions use cannot
 * be removed.
 */
export function HoursPage(): ReactNode {
  const { t } = useI18n();
  const { api } = useSession();
  const list = useLoad(() => api.get<FlowSummary[]>('/api/flows'), 'flows');
  const [flowKey, setFlowKey] = useState<string>('');
  const key = flowKey !== '' ? flowKey : (list.data?.[0]?.key ?? '');

  return (
    <section>
      <h1 tabIndex={-1}>{t('hours.title')}</h1>
      <p className="muted">{t('hours.intro')}</p>
      <ErrorMessage error={list.error} />
      {list.data !== null && (
        <label className="narrow">
          {t('hours.flow')}
          <select
            value={key}
            onChange={(event) => {
              setFlowKey(event.target.value);
            }}
          >
            {list.data.map((flow) => (
              <option key={flow.key} value={flow.key}>
                {flow.name}
              </option>
            ))}
          </select>
        </label>
      )}
      {key !== '' && <FlowHours key={key} flowKey={key} />}
    </section>
  );
}

function FlowHours(props: { readonly flowKey: string }): ReactNode {
  const { t } = useI18n();
  const { api } = useSession();
  const path = `/api/flows/${encodeURIComponent(props.flowKey)}`;
  const loaded = useLoad(() => api.get<Flow>(path), `hours-${props.flowKey}`);
  const [document, setDocument] = useState<Record<string, unknown> | null>(null);
  const [schedules, setSchedules] = useState<Schedules>({});
  const [calendars, setCalendars] = useState<Calendars>({});
  const [outcome, setOutcome] = useState<Outcome>({ kind: 'none' });
  const [isBusy, setBusy] = useState(false);
  const [newSchedule, setNewSchedule] = useState('');
  const [newCalendar, setNewCalendar] = useState('');

  useEffect(() => {
    const flow = loaded.data;
    if (flow === null) return;
    const source = (flow.draft ?? flow.published)?.document;
    const doc = typeof source === 'object' && source !== null ? (source as Record<string, unknown>) : {};
    setDocument(doc);
    setSchedules((doc['schedules'] as Schedules | undefined) ?? {});
    setCalendars((doc['holidayCalendars'] as Calendars | undefined) ?? {});
  }, [loaded.data]);

  if (document === null) return <ErrorMessage error={loaded.error} />;
  const used = referencedNames(document['nodes']);

  const setDay = (name: string, day: Weekday, intervals: readonly Interval[]): void => {
    const others = Object.entries(schedules[name] ?? {}).filter(([other]) => other !== day);
    const schedule = Object.fromEntries(intervals.length === 0 ? others : [...others, [day, intervals]]);
    setSchedules({ ...schedules, [name]: schedule });
  };
  const setHolidays = (name: string, holidays: readonly Holiday[]): void => {
    setCalendars({ ...calendars, [name]: holidays });
  };
  const renameSchedule = (from: string, to: string): void => {
    setSchedules(renameKey(schedules, from, to));
    setDocument({ ...document, nodes: renameReferences(document['nodes'], 'businessHours', from, to) });
  };
  const renameCalendar = (from: string, to: string): void => {
    setCalendars(renameKey(calendars, from, to));
    setDocument({ ...document, nodes: renameReferences(document['nodes'], 'holiday', from, to) });
  };

  const save = (): void => {
    const next = { ...document, schedules, holidayCalendars: calendars };
    setBusy(true);
    setOutcome({ kind: 'none' });
    const work = async (): Promise<Outcome> => {
      const check = await api.post<{ isValid: boolean; errors: FieldProblem[] }>(`${path}/validate`, {
        document: next,
      });
      if (!check.isValid) return { kind: 'problems', problems: check.errors };
      const draft = await api.put<{ number: number }>(`${path}/draft`, { document: next });
      await api.post(`${path}/versions/${String(draft.number)}/publish`);
      loaded.reload();
      return { kind: 'published', version: draft.number };
    };
    work().then(
      (result) => {
        setBusy(false);
        setOutcome(result);
      },
      (error: unknown) => {
        setBusy(false);
        setOutcome({ kind: 'failed', error });
      },
    );
  };

  return (
    <div className="hours">
      <h2>{t('hours.schedules')}</h2>
      {Object.entries(schedules).map(([name, schedule]) => (
        <fieldset key={name} className="card schedule" aria-label={t('hours.scheduleNamed', { name })}>
          <legend>{name}</legend>
          <table className="table">
            <tbody>
              {weekdays.map((day) => {
                const intervals = schedule[day] ?? [];
                const dayName = t(`hours.day.${day}`);
                return (
                  <tr key={day}>
                    <th scope="row">{dayName}</th>
                    <td>
                      {intervals.length === 0 && <span className="muted">{t('hours.closed')}</span>}
                      {intervals.map((interval, index) => (
                        <span key={index} className="interval">
                          <input
                            className="clock"
                            pattern={clockPattern}
                            size={5}
                            aria-label={t('hours.from', { day: dayName, n: index + 1 })}
                            value={interval.from}
                            onChange={(event) => {
                              setDay(
                                name,
                                day,
                                intervals.map((other, at) =>
                                  at === index ? { ...other, from: event.target.value } : other,
                                ),
                              );
                            }}
                          />
                          –
                          <input
                            className="clock"
                            pattern={clockPattern}
                            size={5}
                            aria-label={t('hours.to', { day: dayName, n: index + 1 })}
                            value={interval.to}
                            onChange={(event) => {
                              setDay(
                                name,
                                day,
                                intervals.map((other, at) =>
                                  at === index ? { ...other, to: event.target.value } : other,
                                ),
                              );
                            }}
                          />
                          <button
                            type="button"
                            aria-label={t('hours.removeInterval', { day: dayName, n: index + 1 })}
                            onClick={() => {
                              setDay(
                                name,
                                day,
                                intervals.filter((_, at) => at !== index),
                              );
                            }}
                          >
                            ×
                          </button>
                        </span>
                      ))}
                    </td>
                    <td>
                      <button
                        type="button"
                        onClick={() => {
                          setDay(name, day, [...intervals, { from: '09:00', to: '14:00' }]);
                        }}
                      >
                        {t('hours.addInterval', { day: dayName })}
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <RenameControl
            name={name}
            taken={Object.keys(schedules)}
            label={t('hours.renameSchedule', { name })}
            onRename={(to) => {
              renameSchedule(name, to);
            }}
          />{' '}
          {used.schedules.has(name) ? (
            <p className="muted">{t('hours.inUse')}</p>
          ) : (
            <button
              type="button"
              onClick={() => {
                setSchedules(
                  Object.fromEntries(Object.entries(schedules).filter(([other]) => other !== name)),
                );
              }}
            >
              {t('hours.removeSchedule', { name })}
            </button>
          )}
        </fieldset>
      ))}
      <div className="inline-form">
        <label>
          {t('hours.newSchedule')}
          <input
            value={newSchedule}
            pattern="[A-Za-z0-9_\-]+"
            onChange={(event) => {
              setNewSchedule(event.target.value);
            }}
          />
        </label>
        <button
          type="button"
          disabled={newSchedule.trim() === '' || newSchedule.trim() in schedules}
          onClick={() => {
            setSchedules({ ...schedules, [newSchedule.trim()]: {} });
            setNewSchedule('');
          }}
        >
          {t('hours.addSchedule')}
        </button>
      </div>

      <h2>{t('hours.holidays')}</h2>
      {Object.entries(calendars).map(([name, holidays]) => (
        <fieldset key={name} className="card calendar" aria-label={t('hours.calendarNamed', { name })}>
          <legend>{name}</legend>
          <table className="table">
            <thead>
              <tr>
                <th scope="col">{t('hours.date')}</th>
                <th scope="col">{t('hours.everyYear')}</th>
                <th scope="col">{t('hours.holidayName')}</th>
                <th scope="col" />
              </tr>
            </thead>
            <tbody>
              {holidays.map((holiday, index) => {
                const row = hoursCalendar.toRow(holiday, new Date().getFullYear());
                const update = (next: Partial<typeof row>): void => {
                  setHolidays(
                    name,
                    holidays.map((other, at) =>
                      at === index ? hoursCalendar.fromRow({ ...row, ...next }) : other,
                    ),
                  );
                };
                return (
                  <tr key={index}>
                    <td>
                      <input
                        type="date"
                        aria-label={t('hours.dateOf', { n: index + 1 })}
                        value={row.date}
                        required
                        onChange={(event) => {
                          update({ date: event.target.value });
                        }}
                      />
                    </td>
                    <td>
                      <input
                        type="checkbox"
                        aria-label={t('hours.everyYearOf', { n: index + 1 })}
                        checked={row.isEveryYear}
                        onChange={(event) => {
                          update({ isEveryYear: event.target.checked });
                        }}
                      />
                    </td>
                    <td>
                      <input
                        aria-label={t('hours.nameOf', { n: index + 1 })}
                        value={row.name}
                        maxLength={120}
                        onChange={(event) => {
                          update({ name: event.target.value });
                        }}
                      />
                    </td>
                    <td>
                      <button
                        type="button"
                        aria-label={t('hours.removeHoliday', { n: index + 1 })}
                        onClick={() => {
                          setHolidays(
                            name,
                            holidays.filter((_, at) => at !== index),
                          );
                        }}
                      >
                        ×
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <button
            type="button"
            onClick={() => {
              setHolidays(name, [
                ...holidays,
                hoursCalendar.fromRow({ date: '', isEveryYear: false, name: '' }),
              ]);
            }}
          >
            {t('hours.addHoliday', { name })}
          </button>{' '}
          <RenameControl
            name={name}
            taken={Object.keys(calendars)}
            label={t('hours.renameCalendar', { name })}
            onRename={(to) => {
              renameCalendar(name, to);
            }}
          />{' '}
          {used.calendars.has(name) ? (
            <span className="muted">{t('hours.inUse')}</span>
          ) : (
            <button
              type="button"
              onClick={() => {
                setCalendars(
                  Object.fromEntries(Object.entries(calendars).filter(([other]) => other !== name)),
                );
              }}
            >
              {t('hours.removeCalendar', { name })}
            </button>
          )}
        </fieldset>
      ))}
      <div className="inline-form">
        <label>
          {t('hours.newCalendar')}
          <input
            value={newCalendar}
            onChange={(event) => {
              setNewCalendar(event.target.value);
            }}
          />
        </label>
        <button
          type="button"
          disabled={newCalendar.trim() === '' || newCalendar.trim() in calendars}
          onClick={() => {
            setCalendars({ ...calendars, [newCalendar.trim()]: [] });
            setNewCalendar('');
          }}
        >
          {t('hours.addCalendar')}
        </button>
      </div>

      <div className="actions">
        <button type="button" className="primary" disabled={isBusy} onClick={save}>
          {t('hours.save')}
        </button>
      </div>
      {outcome.kind === 'published' && (
        <p role="status" className="notice">
          {t('hours.published', { version: outcome.version })}
        </p>
      )}
      {outcome.kind === 'problems' && (
        <div role="alert" className="error">
          <p>{t('hours.problems')}</p>
          <ul>
            {outcome.problems.map((problem) => (
              <li key={`${problem.field}-${problem.message}`}>
                <code>{problem.field}</code>: {fieldProblemMessage(t, problem)}
              </li>
            ))}
          </ul>
        </div>
      )}
      {outcome.kind === 'failed' && <ErrorMessage error={outcome.error} />}
    </div>
  );
}
