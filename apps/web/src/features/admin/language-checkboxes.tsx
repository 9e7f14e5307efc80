import type { ReactNode } from 'react';
import type { Language } from '../../app/api-types.ts';

/** Spanish and English as checkboxes, each named in its own language (`language-es`, `language-en`). */
export function LanguageCheckboxes(props: {
  readonly legend: string;
  readonly value: readonly Language[];
  readonly onChange: (languages: readonly Language[]) => void;
}): ReactNode {
  return (
    <fieldset>
      <legend>{props.legend}</legend>
      {(['es', 'en'] as const).map((code) => (
        <label key={code} className="checkbox">
          <input
            type="checkbox"
            name={`language-${code}`}
            checked={props.value.includes(code)}
            onChange={(event) => {
              props.onChange(
                event.target.checked ? [...props.value, code] : props.value.filter((other) => other !== code),
              );
            }}
          />
          {code === 'es' ? 'Español' : 'English'}
        </label>
      ))}
    </fieldset>
  );
}
