/** A form field's text (a file input's value counts as no text). */
export function formText(value: FormDataEntryValue | null): string {
  return typeof value === 'string' ? value : '';
}
