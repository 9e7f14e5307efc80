import { describe, expect, it } from 'vitest';
import { storeErrorCodes } from '@centralita/store';
import { translate } from '../i18n/catalog.ts';
import type { MessageKey, MessageValues } from '../i18n/catalog.ts';
import { ApiError } from './api-client.ts';
import { fieldProblemMessage, problemMessage, serverDetail } from './problem-message.ts';

const spanish = (key: MessageKey, values?: MessageValues): string => translate('es', key, values);
const english = (key: MessageKey, values?: MessageValues): string => translate('en', key, values);

describe('serverDetail', () => {
  it('keeps the server’s own sentence for a generic refusal, not for codes whose message says it all', () => {
    const self = new ApiError(
      409,
      'STORE_INVALID_STATE',
      'You cannot delete yourself; ask another admin.',
      [],
      null,
    );
    expect(serverDetail(self)).toBe('You cannot delete yourself; ask another admin.');
    expect(translate('es', 'error.serverDetail', { detail: serverDetail(self) ?? '' })).toBe(
      'Detalle del servidor (en inglés): You cannot delete yourself; ask another admin.',
    );
    const login = new ApiError(
      401,
      'HTTP_LOGIN_FAILED',
      'Wrong tenant, e-mail address or password.',
      [],
      null,
    );
    expect(serverDetail(login)).toBeUndefined();
    expect(serverDetail(new Error('boom'))).toBeUndefined();
  });

  it('keeps the server’s sentence for every refusal the store can give (the web app cannot import its list)', () => {
    for (const code of storeErrorCodes)
      expect(serverDetail(new ApiError(409, code, `Why ${code} happened.`, [], null)), code).toBe(
        `Why ${code} happened.`,
      );
  });
});

describe('problemMessage', () => {
  it('tells a throttled login how long to wait, from the problem details', () => {
    const throttled = new ApiError(429, 'HTTP_LOGIN_THROTTLED', 'Too many failed logins.', [], 120);
    expect(problemMessage(spanish, throttled)).toBe(
      'Demasiados intentos fallidos. Espere 120 s y vuelva a intentarlo, o pida a un administrador que restablezca la contraseña.',
    );
    expect(problemMessage(english, throttled)).toBe(
      'Too many failed attempts. Wait 120 s and try again, or ask an administrator to reset the password.',
    );
  });

  it('gives the same answer for every failed login, in the UI language', () => {
    const failed = new ApiError(
      401,
      'HTTP_LOGIN_FAILED',
      'Wrong tenant, e-mail address or password.',
      [],
      null,
    );
    expect(problemMessage(spanish, failed)).toBe(
      'El tenant, el correo electrónico o la contraseña no son correctos. Compruebe los tres; si ha olvidado la contraseña, un administrador puede restablecerla.',
    );
  });

  it('counts the fields to correct, and names the one field when there is only one', () => {
    const invalid = new ApiError(
      400,
      'HTTP_VALIDATION_FAILED',
      'The field "name" is invalid.',
      [
        { field: 'name', message: 'too small' },
        { field: 'serviceLevelTargetPct', message: 'too big' },
      ],
      null,
    );
    expect(problemMessage(english, invalid)).toBe('2 values need correcting:');
    const oneField = new ApiError(
      400,
      'HTTP_VALIDATION_FAILED',
      'The field "name" is invalid.',
      [{ field: 'name', message: 'too small' }],
      null,
    );
    expect(problemMessage(spanish, oneField)).toBe(
      'Hay un dato que no es válido. Corrija el campo indicado y vuelva a intentarlo.',
    );
  });

  it('says in Spanish why an action was refused and what to do, instead of the English detail', () => {
    const ended = new ApiError(
      409,
      'STORE_INVALID_STATE',
      'This call has already ended; there is nothing to take over.',
      [],
      null,
    );
    expect(problemMessage(spanish, ended)).toBe(
      'No se puede hacer en el estado actual (por ejemplo, la llamada ya ha terminado o la incidencia está cerrada). Recargue la página para ver el estado actual y, si hace falta, haga antes el paso previo.',
    );
    const noCalls = new ApiError(503, 'HTTP_CALLS_UNAVAILABLE', 'The call layer is not running.', [], null);
    expect(problemMessage(spanish, noCalls)).toContain('La telefonía no está en marcha');
    expect(problemMessage(english, new ApiError(0, 'NETWORK', 'x', [], null))).toBe(
      'The server cannot be reached.',
    );
  });

  it('keeps the field and translates the IVR code of each problem of a refused flow', () => {
    const unknownQueue = {
      field: 'nodes.to_sales.queue',
      message: 'The queue "ventas" does not exist.',
      code: 'IVR_UNKNOWN_QUEUE',
    };
    expect(fieldProblemMessage(spanish, unknownQueue)).toBe(
      'El nodo nombra una cola que no existe. Elija una cola existente o créela antes de publicar el flujo.',
    );
    const schema = {
      field: 'schedules.office.sat.0',
      message: 'an interval ends after it starts',
      code: 'IVR_FLOW_SCHEMA',
    };
    expect(fieldProblemMessage(spanish, schema)).toContain('(an interval ends after it starts)');
    expect(fieldProblemMessage(english, { field: 'name', message: 'too small' })).toBe('too small');
  });

  it('shows the server detail only for a code docs/errors.md does not list, and a sentence for other errors', () => {
    const proxy = new ApiError(502, 'HTTP_502', 'Bad Gateway', [], null);
    expect(problemMessage(english, proxy)).toBe('Bad Gateway');
    expect(problemMessage(english, new Error('boom'))).toBe('Something went wrong unexpectedly.');
  });
});
