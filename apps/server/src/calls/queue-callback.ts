import type { Language } from '@centralita/ivr';

/**
 * What a waiting caller hears when the queue's escalation offers a callback (`offer-callback`): the offer
 * stands for the rest of the wait, so it says "at any time".
 */
export function callbackOfferText(language: Language): string {
  return language === 'es'
    ? 'Si prefiere que le llamemos cuando sea su turno, sin perder su lugar en la cola, pulse 1 en cualquier momento.'
    : 'If you would rather we call you back when it is your turn, without losing your place in the queue, press 1 at any time.';
}

/** The digit that takes the offered callback. */
export const callbackAcceptDigit = '1';

/**
 * The confirmation before the line is hung up: the number we will call, read digit by digit so the
 * text-to-speech does not say it as one large figure.
 */
export function callbackConfirmationText(language: Language, number: string): string {
  const digits = number.replace(/\D/g, '').split('').join(' ');
  return language === 'es'
    ? `Gracias. Le llamaremos al ${digits} cuando sea su turno. Ya puede colgar.`
    : `Thank you. We will call you on ${digits} when it is your turn. You can hang up now.`;
}

/** What a waiting caller hears when the queue's escalation offers voicemail (`offer-voicemail`). */
export function voicemailOfferText(language: Language): string {
  return language === 'es'
    ? 'Si prefiere dejarnos un mensaje, pulse 2 en cualquier momento.'
    : 'If you would rather leave us a message, press 2 at any time.';
}

/** The digit that takes the offered voicemail. */
export const voicemailAcceptDigit = '2';
