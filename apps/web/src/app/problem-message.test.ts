import { describe, expect, it } from 'vitest';
import { translate } from '../i18n/catalog.ts';
import type { MessageKey, MessageValues } from '../i18n/catalog.ts';
import { ApiError } from './api-client.ts';
import { problemMessage } from './problem-message.ts';

const spanish = (key: MessageKey, values?: MessageValues): string => translate('es', key, values);
const english = (key: MessageKey, values?: MessageValues): string => translate('en', key, values);

describe('problemMessage', () => {
  it('tells a throttled login how long to wait, from the problem details', () => {
    const throttled = new ApiError(429, 'HTTP_LOGIN_THROTTLED', 'Too many failed logins.', [], 120);
    expect(problemMessage(spanish, throttled)).toBe(
      'Demasiados intentos fallidos. Espere 120 s y vuelva a intentarlo.',
    );
    expect(problemMessage(english, throttled)).toBe('Too many failed attempts. Wait 120 s and try again.');
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
      'El tenant, el correo electrónico o la contraseña no son correctos.',
    );
  });

  it('counts the fields to correct, and shows the server detail for codes without a message of their own', () => {
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
    const unknown = new ApiError(409, 'STORE_INVALID_STATE', 'Reopen the ticket first.', [], null);
    expect(problemMessage(english, unknown)).toBe('Reopen the ticket first.');
    expect(problemMessage(english, new Error('boom'))).toBe('Something went wrong unexpectedly.');
  });
});
