import type { ReactNode } from 'react';
import { useI18n } from '../i18n/i18n.tsx';

/** Chooses the UI's language; the choice is remembered in this browser. */
export function LanguageSwitch(): ReactNode {
  const { t, language, setLanguage } = useI18n();
  return (
    <label className="language">
      <span>{t('common.language')}</span>
      <select
        value={language}
        onChange={(event) => {
          setLanguage(event.target.value === 'en' ? 'en' : 'es');
        }}
      >
        <option value="es" lang="es">
          Español
        </option>
        <option value="en" lang="en">
          English
        </option>
      </select>
    </label>
  );
}
