import { useState } from 'react';
import type { SubmitEvent, ReactNode } from 'react';
import type { Page, Queue, Skill } from '../../app/api-types.ts';
import { ErrorMessage } from '../../app/error-message.tsx';
import { useSession } from '../../app/session.tsx';
import { useLoad } from '../../app/use-load.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { QueueRoutingFields } from './queue-routing-fields.tsx';
import type { QueueRoutingSettings } from './queue-routing-fields.tsx';

/** What the queue form edits. */
interface QueueDraft {
  readonly name: string;
  readonly description: string;
  readonly serviceLevelThresholdS: number;
  readonly serviceLevelTargetPct: number;
  /** Required skills: skill id -> lowest level (1–10). */
  readonly skills: Readonly<Record<string, number>>;
  readonly settings: QueueRoutingSettings;
}

/** A new queue starts with the classic 80/20 service-level goal. */
const emptyQueue: QueueDraft = {
  name: '',
  description: '',
  serviceLevelThresholdS: 20,
  serviceLevelTargetPct: 80,
  skills: {},
  settings: {},
};

function draftOf(queue: Queue): QueueDraft {
  return {
    name: queue.name,
    description: queue.description,
    serviceLevelThresholdS: queue.serviceLevelThresholdS,
    serviceLevelTargetPct: queue.serviceLevelTargetPct,
    skills: Object.fromEntries(queue.skills.map((skill) => [skill.skillId, skill.minLevel])),
    settings: queue.settings,
  };
}

/** Queues: the list with their service-level goals; create one or edit its name, description and goal. */
export function AdminQueuesPage(): ReactNode {
  const { t } = useI18n();
  const { api } = useSession();
  const loaded = useLoad(() => api.get<Page<Queue>>('/api/queues', { limit: 200, sort: 'name' }), 'queues');
  const [editing, setEditing] = useState<Queue | null>(null);
  const skills = useLoad(() => api.get<Skill[]>('/api/skills'), 'skills');

  return (
    <section>
      <h1 tabIndex={-1}>{t('queues.title')}</h1>
      <ErrorMessage error={loaded.error} />
      {loaded.data !== null && (
        <table className="table" data-testid="queues">
          <thead>
            <tr>
              <th scope="col">{t('queues.name')}</th>
              <th scope="col">{t('queues.description')}</th>
              <th scope="col">{t('queues.serviceLevel')}</th>
              <th scope="col">{t('queues.skills')}</th>
              <th scope="col">{t('common.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {loaded.data.items.map((queue) => (
              <tr key={queue.id}>
                <td>{queue.name}</td>
                <td>{queue.description}</td>
                <td>
                  {t('queues.serviceLevelValue', {
                    pct: queue.serviceLevelTargetPct,
                    seconds: queue.serviceLevelThresholdS,
                  })}
                </td>
                <td>{queue.skills.map((skill) => `${skill.name} (≥ ${skill.minLevel})`).join(', ')}</td>
                <td>
                  <button
                    type="button"
                    onClick={() => {
                      setEditing(queue);
                    }}
                  >
                    {t('common.edit')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <QueueForm
        key={editing?.id ?? 'new'}
        queue={editing}
        queues={loaded.data?.items ?? []}
        skills={skills.data ?? []}
        onDone={() => {
          setEditing(null);
          loaded.reload();
        }}
        onCancel={() => {
          setEditing(null);
        }}
      />
      <SkillsCard
        skills={skills.data ?? []}
        onChanged={() => {
          skills.reload();
          loaded.reload();
        }}
      />
    </section>
  );
}

function QueueForm(props: {
  readonly queue: Queue | null;
  readonly queues: readonly Queue[];
  readonly skills: readonly Skill[];
  readonly onDone: () => void;
  readonly onCancel: () => void;
}): ReactNode {
  const { t } = useI18n();
  const { api } = useSession();
  const [draft, setDraft] = useState<QueueDraft>(props.queue === null ? emptyQueue : draftOf(props.queue));
  const [error, setError] = useState<unknown>(null);
  const [isBusy, setBusy] = useState(false);
  const isNew = props.queue === null;

  const save = (event: SubmitEvent): void => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const body = {
      name: draft.name.trim(),
      description: draft.description.trim(),
      serviceLevelThresholdS: draft.serviceLevelThresholdS,
      serviceLevelTargetPct: draft.serviceLevelTargetPct,
      skills: Object.entries(draft.skills).map(([skillId, minLevel]) => ({ skillId, minLevel })),
      settings: draft.settings,
    };
    const request =
      props.queue === null ? api.post('/api/queues', body) : api.patch(`/api/queues/${props.queue.id}`, body);
    request.then(
      () => {
        setBusy(false);
        setDraft(emptyQueue);
        props.onDone();
      },
      (failure: unknown) => {
        setBusy(false);
        setError(failure);
      },
    );
  };

  return (
    <form
      onSubmit={save}
      className="card stacked"
      aria-labelledby="queue-form-title"
      data-testid="queue-form"
    >
      <h2 id="queue-form-title">{isNew ? t('queues.new') : t('queues.edit', { name: props.queue.name })}</h2>
      <div className="row">
        <label>
          {t('queues.name')}
          <input
            name="name"
            value={draft.name}
            required
            maxLength={120}
            onChange={(event) => {
              setDraft({ ...draft, name: event.target.value });
            }}
          />
        </label>
        <label className="grow">
          {t('queues.description')}
          <input
            name="description"
            value={draft.description}
            maxLength={2000}
            onChange={(event) => {
              setDraft({ ...draft, description: event.target.value });
            }}
          />
        </label>
        <label>
          {t('queues.threshold')}
          <input
            name="serviceLevelThresholdS"
            type="number"
            min={1}
            max={3600}
            value={draft.serviceLevelThresholdS}
            required
            onChange={(event) => {
              setDraft({ ...draft, serviceLevelThresholdS: Number(event.target.value) });
            }}
          />
        </label>
        <label>
          {t('queues.target')}
          <input
            name="serviceLevelTargetPct"
            type="number"
            min={0}
            max={100}
            step="any"
            value={draft.serviceLevelTargetPct}
            required
            onChange={(event) => {
              setDraft({ ...draft, serviceLevelTargetPct: Number(event.target.value) });
            }}
          />
        </label>
      </div>
      <fieldset>
        <legend>{t('queues.skills')}</legend>
        {props.skills.map((skill) => {
          const minLevel = draft.skills[skill.id];
          return (
            <div key={skill.id} className="inline-form">
              <label className="checkbox">
                <input
                  type="checkbox"
                  checked={minLevel !== undefined}
                  onChange={(event) => {
                    const next = Object.entries(draft.skills).filter(([id]) => id !== skill.id);
                    if (event.target.checked) next.push([skill.id, 1]);
                    setDraft({ ...draft, skills: Object.fromEntries(next) });
                  }}
                />
                {skill.name}
              </label>
              {minLevel !== undefined && (
                <label>
                  {t('queues.minLevel', { skill: skill.name })}
                  <input
                    type="number"
                    min={1}
                    max={10}
                    value={minLevel}
                    onChange={(event) => {
                      setDraft({
                        ...draft,
                        skills: { ...draft.skills, [skill.id]: Number(event.target.value) },
                      });
                    }}
                  />
                </label>
              )}
            </div>
          );
        })}
      </fieldset>
      <QueueRoutingFields
        settings={draft.settings}
        otherQueues={props.queues.filter((queue) => queue.id !== props.queue?.id)}
        onChange={(settings) => {
          setDraft({ ...draft, settings });
        }}
      />
      <ErrorMessage error={error} />
      <div className="actions">
        <button type="submit" className="primary" disabled={isBusy}>
          {isNew ? t('queues.create') : t('common.save')}
        </button>
        {!isNew && (
          <button type="button" onClick={props.onCancel}>
            {t('common.cancel')}
          </button>
        )}
      </div>
    </form>
  );
}

function SkillsCard(props: { readonly skills: readonly Skill[]; readonly onChanged: () => void }): ReactNode {
  const { t } = useI18n();
  const { api } = useSession();
  const [name, setName] = useState('');
  const [error, setError] = useState<unknown>(null);

  const create = (event: SubmitEvent): void => {
    event.preventDefault();
    setError(null);
    api.post('/api/skills', { name: name.trim() }).then(() => {
      setName('');
      props.onChanged();
    }, setError);
  };

  return (
    <form onSubmit={create} className="card stacked" aria-labelledby="skills-title" data-testid="skills">
      <h2 id="skills-title">{t('skills.title')}</h2>
      <ul className="tags">
        {props.skills.map((skill) => (
          <li key={skill.id} className="tag">
            {skill.name}{' '}
            <button
              type="button"
              className="tag-remove"
              aria-label={t('skills.deleteNamed', { skill: skill.name })}
              onClick={() => {
                if (!window.confirm(t('skills.confirmDelete', { skill: skill.name }))) return;
                setError(null);
                api.delete(`/api/skills/${skill.id}`).then(props.onChanged, setError);
              }}
            >
              ×
            </button>
          </li>
        ))}
      </ul>
      <div className="inline-form">
        <label className="grow">
          {t('skills.name')}
          <input
            name="skillName"
            value={name}
            required
            maxLength={80}
            onChange={(event) => {
              setName(event.target.value);
            }}
          />
        </label>
        <button type="submit">{t('skills.create')}</button>
      </div>
      <ErrorMessage error={error} />
    </form>
  );
}
