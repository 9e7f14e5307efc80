import type { IvrCommand } from './commands.ts';
import type { IvrEvent } from './events.ts';
import type { FlowTranscript, HeardPrompt, TranscriptEntry, TranscriptOutcome } from './flow-tester.ts';

/** One line for how the call ended: `answered in queue 'ventas'`. */
export function describeOutcome(outcome: TranscriptOutcome): string {
  switch (outcome.kind) {
    case 'hungUp':
      return 'the flow hung up';
    case 'callerHungUp':
      return 'the caller hung up';
    case 'answered':
      return `answered in queue '${outcome.queueId}'`;
    case 'transferred':
      return outcome.target.kind === 'extension'
        ? `transferred to extension ${outcome.target.extension}`
        : `transferred to ${outcome.target.number}`;
    case 'stopped':
      return `stopped: ${outcome.reason}`;
  }
}

/** One line for a command the call layer would carry out; `null` for node visits, prompts and key collection. */
export function describeCommand(command: IvrCommand): string | null {
  switch (command.type) {
    case 'RecordNodeVisit':
    case 'PlayPrompt':
    case 'CollectDigits':
      return null;
    case 'SetLanguage':
      return `language ${command.language}`;
    case 'HttpRequest':
      return `${command.method} ${command.url}`;
    case 'IdentifyCaller':
      return `identify by ${command.by} ${command.value}`;
    case 'RequestQueueFigures':
      return `ask live figures of queue '${command.queueId}'`;
    case 'Enqueue': {
      const skills =
        command.requiredSkills.length === 0 ? '' : `, skills ${command.requiredSkills.join(', ')}`;
      return `enqueue in '${command.queueId}', priority ${command.priority}${skills}`;
    }
    case 'StartVoicemail':
      return `record a voicemail for queue '${command.queueId}'`;
    case 'ScheduleCallback':
      return `schedule a callback to ${command.number} from queue '${command.queueId}'${
        command.isPlaceKept ? ', keeping the place' : ''
      }`;
    case 'RecordSurveyAnswer':
      return `survey ${command.surveyId} ${command.questionId} = ${command.answer}`;
    case 'Transfer':
      return command.target.kind === 'extension'
        ? `transfer to extension ${command.target.extension}`
        : `transfer to ${command.target.number}`;
    case 'Hangup':
      return 'hang up';
    case 'LogFault':
      return `fault ${command.code}: ${command.message}`;
  }
}

/** A prompt as one line: `es: Bienvenido` or `es: [es/welcome.wav] Bienvenido`. */
export function describePrompt(prompt: HeardPrompt): string {
  const file = prompt.file === null ? '' : `[${prompt.file}]`;
  const text = prompt.text ?? '';
  return `${prompt.language}: ${[file, text].filter((part) => part !== '').join(' ')}`;
}

function describeAnswer(event: IvrEvent): string {
  switch (event.type) {
    case 'HttpResponded':
      return `http ${event.status} ${JSON.stringify(event.body)}`;
    case 'HttpFailed':
      return `http failed: ${event.reason}`;
    case 'CallerIdentified':
      return `identified ${event.customerId}${event.name === null ? '' : ` (${event.name})`}${event.isVip ? ', VIP' : ''}`;
    case 'CallerNotIdentified':
      return 'not identified';
    case 'QueueFiguresAnswered':
      return `queue '${event.queueId}': ${event.agentsAvailable} agents available, ${event.callsWaiting} waiting, ~${Math.round(
        event.estimatedWaitMs / 1000,
      )} s wait`;
    case 'QueueFiguresUnavailable':
      return `queue '${event.queueId}': no figures`;
    case 'AnsweredByAgent':
      return 'an agent answered';
    case 'QueueOverflowed':
      return `queue overflowed (${event.reason})`;
    case 'VoicemailRecorded':
      return `message recorded (${Math.round(event.durationMs / 1000)} s)`;
    case 'TransferCompleted':
      return 'transfer completed';
    case 'TransferFailed':
      return `transfer failed: ${event.reason}`;
    case 'CallerHungUp':
      return 'the caller hangs up';
    case 'Started':
    case 'PromptFinished':
    case 'DigitsCollected':
    case 'DigitsTimedOut':
      return event.type;
  }
}

function line(entry: TranscriptEntry): string | null {
  switch (entry.kind) {
    case 'node':
      return `node    ${entry.pathId} (${entry.nodeType})`;
    case 'prompt':
      return `  says  ${describePrompt(entry)}`;
    case 'keys':
      return `  keys  ${entry.digits}`;
    case 'silence':
      return '  keys  (silence)';
    case 'command': {
      const description = describeCommand(entry.command);
      return description === null ? null : `  does  ${description}`;
    }
    case 'answer':
      return `  gets  ${describeAnswer(entry.event)}`;
    case 'fault':
      return `  FAULT ${entry.code}${entry.nodeId === null ? '' : ` at ${entry.nodeId}`}: ${entry.message}`;
  }
}

/** The transcript as text for a terminal: every node, prompt, key and action, then the path and the end. */
export function formatTranscript(transcript: FlowTranscript): string {
  const lines = transcript.entries.flatMap((entry) => {
    const text = line(entry);
    return text === null ? [] : [text];
  });
  return [
    ...lines,
    '',
    `path: ${transcript.path.join(' > ')}`,
    `end:  ${describeOutcome(transcript.outcome)}`,
    '',
  ].join('\n');
}
