import type { ReactNode } from 'react';
import { useI18n } from '../../i18n/i18n.tsx';

/** A queue's routing settings as the API stores them (seconds; docs/routing.md). */
export interface QueueRoutingSettings {
  readonly strategy?: string;
  readonly priority?: number;
  readonly wrapUpSeconds?: number | null;
  readonly offerTimeoutSeconds?: number;
  readonly maxWaitSeconds?: number | null;
  readonly maxSize?: number | null;
  readonly whenNoAgents?: 'join' | 'refuse' | 'overflow';
  readonly noAgentsMeans?: 'nobody-signed-in' | 'nobody-available';
  readonly overflow?: OverflowTarget;
  readonly announcements?: {
    readonly firstAfterSeconds: number;
    readonly everySeconds: number;
    readonly includePosition: boolean;
    readonly includeEstimatedWait: boolean;
  } | null;
  readonly escalation?: readonly EscalationStep[];
  readonly [key: string]: unknown;
}

type OverflowTarget =
  | { readonly type: 'disconnect' }
  | { readonly type: 'voicemail' }
  | { readonly type: 'flow' }
  | { readonly type: 'queue'; readonly queueId: string }
  | { readonly type: 'number'; readonly number: string };

type EscalationAction =
  | { readonly type: 'relax-skills'; readonly levelsBy: number }
  | { readonly type: 'raise-priority'; readonly by: number }
  | { readonly type: 'add-queue-agents'; readonly queueId: string }
  | { readonly type: 'route-elsewhere'; readonly target: OverflowTarget }
  | { readonly type: 'offer-voicemail' }
  | { readonly type: 'offer-callback' };

interface EscalationStep {
  readonly afterSeconds: number;
  readonly action: EscalationAction;
}

const strategies = [
  'longest-idle',
  'least-occupied',
  'least-talk-time',
  'fewest-contacts',
  'round-robin',
  'ring-all',
  'random',
  'weighted-random',
  'best-skill',
] as const;

/** An overflow target as one select value: `disconnect`, `flow` or `queue:<id>`. */
function targetValue(target: OverflowTarget | undefined): string {
  if (target === undefined) return 'disconnect';
  return target.type === 'queue' ? `queue:${target.queueId}` : target.type;
}

/** The overflow's number, kept while the user switches between destinations. */
function numberOf(target: OverflowTarget | undefined): string {
  return target?.type === 'number' ? target.number : '';
}

function targetOf(value: string): OverflowTarget {
  if (value.startsWith('queue:')) return { type: 'queue', queueId: value.slice(6) };
  if (value === 'voicemail') return { type: 'voicemail' };
  if (value === 'number') return { type: 'number', number: '' };
  return value === 'flow' ? { type: 'flow' } : { type: 'disconnect' };
}

/** A number input's value, or null when left empty. */
function optionalNumber(text: string): number | null {
  return text.trim() === '' ? null : Number(text);
}

/**
 * Every routing setting of a queue: how agents are chosen, priority, ring time and after-call work, limits on
 * waiting with where callers overflow to, announcements of position and wait, and escalation steps.
 */
export function QueueRoutingFields(props: {
  readonly settings: QueueRoutingSettings;
  readonly otherQueues: readonly { readonly id: string; readonly name: string }[];
  readonly onChange: (settings: QueueRoutingSettings) => void;
}): ReactNode {
  const { t } = useI18n();
  const settings = props.settings;
  const set = (changes: Partial<QueueRoutingSettings>): void => {
    props.onChange({ ...settings, ...changes });
  };
  const steps = settings.escalation ?? [];
  const setStep = (index: number, step: EscalationStep | null): void => {
    set({
      escalation:
        step === null
          ? steps.filter((_, at) => at !== index)
          : steps.map((other, at) => (at === index ? step : other)),
    });
  };
  const targetOptions = (
    <>
      <option value="disconnect">{t('routing.target.disconnect')}</option>
      <option value="voicemail">{t('routing.target.voicemail')}</option>
      <option value="flow">{t('routing.target.flow')}</option>
      {props.otherQueues.map((queue) => (
        <option key={queue.id} value={`queue:${queue.id}`}>
          {t('routing.target.queue', { name: queue.name })}
        </option>
      ))}
    </>
  );
  const announcements = settings.announcements ?? null;

  return (
    <fieldset className="queue-routing">
      <legend>{t('routing.title')}</legend>
      <div className="row">
        <label>
          {t('routing.strategy')}
          <select
            value={settings.strategy ?? 'longest-idle'}
            onChange={(event) => {
              set({ strategy: event.target.value });
            }}
          >
            {strategies.map((strategy) => (
              <option key={strategy} value={strategy}>
                {t(`routing.strategy.${strategy}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('routing.priority')}
          <input
            type="number"
            min={-1000}
            max={1000}
            value={settings.priority ?? 0}
            onChange={(event) => {
              set({ priority: Number(event.target.value) });
            }}
          />
        </label>
        <label>
          {t('routing.offerTimeout')}
          <input
            type="number"
            min={1}
            max={600}
            value={settings.offerTimeoutSeconds ?? 20}
            onChange={(event) => {
              set({ offerTimeoutSeconds: Number(event.target.value) });
            }}
          />
        </label>
        <label>
          {t('routing.wrapUp')}
          <input
            type="number"
            min={0}
            max={3600}
            placeholder={t('routing.untilAgentEnds')}
            value={
              settings.wrapUpSeconds === null || settings.wrapUpSeconds === undefined
                ? ''
                : settings.wrapUpSeconds
            }
            onChange={(event) => {
              set({ wrapUpSeconds: optionalNumber(event.target.value) });
            }}
          />
        </label>
      </div>
      <div className="row">
        <label>
          {t('routing.maxWait')}
          <input
            type="number"
            min={1}
            max={86400}
            placeholder={t('routing.noLimit')}
            value={settings.maxWaitSeconds ?? ''}
            onChange={(event) => {
              set({ maxWaitSeconds: optionalNumber(event.target.value) });
            }}
          />
        </label>
        <label>
          {t('routing.maxSize')}
          <input
            type="number"
            min={1}
            max={100000}
            placeholder={t('routing.noLimit')}
            value={settings.maxSize ?? ''}
            onChange={(event) => {
              set({ maxSize: optionalNumber(event.target.value) });
            }}
          />
        </label>
        <label>
          {t('routing.whenNoAgents')}
          <select
            value={settings.whenNoAgents ?? 'join'}
            onChange={(event) => {
              const value = event.target.value;
              set({ whenNoAgents: value === 'refuse' || value === 'overflow' ? value : 'join' });
            }}
          >
            <option value="join">{t('routing.noAgents.join')}</option>
            <option value="refuse">{t('routing.noAgents.refuse')}</option>
            <option value="overflow">{t('routing.noAgents.overflow')}</option>
          </select>
        </label>
        <label>
          {t('routing.noAgentsMeans')}
          <select
            value={settings.noAgentsMeans ?? 'nobody-signed-in'}
            onChange={(event) => {
              set({
                noAgentsMeans:
                  event.target.value === 'nobody-available' ? 'nobody-available' : 'nobody-signed-in',
              });
            }}
          >
            <option value="nobody-signed-in">{t('routing.noAgentsMeans.signedIn')}</option>
            <option value="nobody-available">{t('routing.noAgentsMeans.available')}</option>
          </select>
        </label>
        <label>
          {t('routing.overflow')}
          <select
            value={targetValue(settings.overflow)}
            onChange={(event) => {
              const target = targetOf(event.target.value);
              set({
                overflow:
                  target.type === 'number' ? { type: 'number', number: numberOf(settings.overflow) } : target,
              });
            }}
          >
            {targetOptions}
            <option value="number">{t('routing.target.number')}</option>
          </select>
        </label>
        {settings.overflow?.type === 'number' && (
          <label>
            {t('routing.overflowNumber')}
            <input
              type="tel"
              required
              maxLength={32}
              value={settings.overflow.number}
              onChange={(event) => {
                set({ overflow: { type: 'number', number: event.target.value } });
              }}
            />
          </label>
        )}
      </div>
      <label className="checkbox">
        <input
          type="checkbox"
          checked={announcements !== null}
          onChange={(event) => {
            set({
              announcements: event.target.checked
                ? {
                    firstAfterSeconds: 30,
                    everySeconds: 60,
                    includePosition: true,
                    includeEstimatedWait: true,
                  }
                : null,
            });
          }}
        />
        {t('routing.announce')}
      </label>
      {announcements !== null && (
        <div className="row">
          <label>
            {t('routing.firstAfter')}
            <input
              type="number"
              min={0}
              max={3600}
              value={announcements.firstAfterSeconds}
              onChange={(event) => {
                set({ announcements: { ...announcements, firstAfterSeconds: Number(event.target.value) } });
              }}
            />
          </label>
          <label>
            {t('routing.every')}
            <input
              type="number"
              min={10}
              max={3600}
              value={announcements.everySeconds}
              onChange={(event) => {
                set({ announcements: { ...announcements, everySeconds: Number(event.target.value) } });
              }}
            />
          </label>
          <label className="checkbox">
            <input
              type="checkbox"
              checked={announcements.includePosition}
              onChange={(event) => {
                set({ announcements: { ...announcements, includePosition: event.target.checked } });
              }}
            />
            {t('routing.position')}
          </label>
          <label className="checkbox">
            <input
              type="checkbox"
              checked={announcements.includeEstimatedWait}
              onChange={(event) => {
                set({ announcements: { ...announcements, includeEstimatedWait: event.target.checked } });
              }}
            />
            {t('routing.estimatedWait')}
          </label>
        </div>
      )}
      <p className="muted">{t('routing.escalation')}</p>
      {steps.map((step, index) => {
        const n = index + 1;
        const action = step.action;
        return (
          <div key={index} className="row escalation-step">
            <label>
              {t('routing.stepAfter', { n })}
              <input
                type="number"
                min={1}
                max={86400}
                value={step.afterSeconds}
                onChange={(event) => {
                  setStep(index, { ...step, afterSeconds: Number(event.target.value) });
                }}
              />
            </label>
            <label>
              {t('routing.stepAction', { n })}
              <select
                value={action.type}
                onChange={(event) => {
                  const type = event.target.value;
                  const next: EscalationAction =
                    type === 'raise-priority'
                      ? { type, by: 10 }
                      : type === 'add-queue-agents'
                        ? { type, queueId: props.otherQueues[0]?.id ?? '' }
                        : type === 'route-elsewhere'
                          ? { type, target: { type: 'flow' } }
                          : type === 'offer-voicemail' || type === 'offer-callback'
                            ? { type }
                            : { type: 'relax-skills', levelsBy: 1 };
                  setStep(index, { ...step, action: next });
                }}
              >
                <option value="relax-skills">{t('routing.action.relax-skills')}</option>
                <option value="raise-priority">{t('routing.action.raise-priority')}</option>
                <option value="add-queue-agents" disabled={props.otherQueues.length === 0}>
                  {t('routing.action.add-queue-agents')}
                </option>
                <option value="route-elsewhere">{t('routing.action.route-elsewhere')}</option>
                <option value="offer-voicemail">{t('routing.action.offer-voicemail')}</option>
                <option value="offer-callback">{t('routing.action.offer-callback')}</option>
              </select>
            </label>
            {action.type === 'relax-skills' && (
              <label>
                {t('routing.levelsBy', { n })}
                <input
                  type="number"
                  min={1}
                  max={9}
                  value={action.levelsBy}
                  onChange={(event) => {
                    setStep(index, { ...step, action: { ...action, levelsBy: Number(event.target.value) } });
                  }}
                />
              </label>
            )}
            {action.type === 'raise-priority' && (
              <label>
                {t('routing.raiseBy', { n })}
                <input
                  type="number"
                  min={1}
                  max={1000}
                  value={action.by}
                  onChange={(event) => {
                    setStep(index, { ...step, action: { ...action, by: Number(event.target.value) } });
                  }}
                />
              </label>
            )}
            {action.type === 'add-queue-agents' && (
              <label>
                {t('routing.fromQueue', { n })}
                <select
                  value={action.queueId}
                  onChange={(event) => {
                    setStep(index, { ...step, action: { ...action, queueId: event.target.value } });
                  }}
                >
                  {props.otherQueues.map((queue) => (
                    <option key={queue.id} value={queue.id}>
                      {queue.name}
                    </option>
                  ))}
                </select>
              </label>
            )}
            {action.type === 'route-elsewhere' && (
              <label>
                {t('routing.sendTo', { n })}
                <select
                  value={targetValue(action.target)}
                  onChange={(event) => {
                    setStep(index, { ...step, action: { ...action, target: targetOf(event.target.value) } });
                  }}
                >
                  {targetOptions}
                </select>
              </label>
            )}
            <button
              type="button"
              aria-label={t('routing.removeStep', { n })}
              onClick={() => {
                setStep(index, null);
              }}
            >
              ×
            </button>
          </div>
        );
      })}
      <button
        type="button"
        onClick={() => {
          set({
            escalation: [
              ...steps,
              { afterSeconds: 60 * (steps.length + 1), action: { type: 'relax-skills', levelsBy: 1 } },
            ],
          });
        }}
      >
        {t('routing.addStep')}
      </button>
    </fieldset>
  );
}
