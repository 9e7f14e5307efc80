/**
 * `record[key]`, but only for the record's own keys. Flow documents are keyed by names an admin types
 * ("constructor" is a valid node id and variable name), and a plain lookup would find Object.prototype's.
 */
export function ownValue<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
