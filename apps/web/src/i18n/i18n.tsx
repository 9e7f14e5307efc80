import { createContext, useContext } from 'react';
import type { Language } from '../app/api-types.ts';
import type { MessageKey, MessageValues } from './catalog.ts';

/** The language of the UI, a way to change it, and formatting in that language. */
export interface I18n {
  readonly language: Language;
  readonly setLanguage: (language: Language) => void;
  readonly t: (key: MessageKey, values?: MessageValues) => string;
  /** A date and time in the UI's language and the tenant's time zone. */
  readonly formatDateTime: (iso: string) => string;
}

const I18nContext = createContext<I18n | null>(null);

/** Provides the language to every component. */
export const I18nProvider = I18nContext.Provider;

/** The UI's language and its messages. */
export function useI18n(): I18n {
  const i18n = useContext(I18nContext);
  if (i18n === null) throw new Error('useI18n outside the I18nProvider');
  return i18n;
}
