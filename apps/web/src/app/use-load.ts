import { useCallback, useEffect, useState } from 'react';

/** What a screen knows about data it is loading. */
export interface Loaded<T> {
  readonly data: T | null;
  readonly error: unknown;
  readonly isLoading: boolean;
  /** Loads again (after a change the screen made). */
  readonly reload: () => void;
}

/** Loads data when the key changes; an answer for an older key is ignored. */
export function useLoad<T>(load: () => Promise<T>, key: string): Loaded<T> {
  const [state, setState] = useState<{ data: T | null; error: unknown; isLoading: boolean }>({
    data: null,
    error: null,
    isLoading: true,
  });
  const [generation, setGeneration] = useState(0);
  // `load` is a new closure on every render; `key` says when the data it fetches changes.
  const stableLoad = useCallback(load, [key, generation]);
  useEffect(() => {
    let isCurrent = true;
    setState((previous) => ({ ...previous, isLoading: true }));
    stableLoad().then(
      (data) => {
        if (isCurrent) setState({ data, error: null, isLoading: false });
      },
      (error: unknown) => {
        if (isCurrent) setState({ data: null, error, isLoading: false });
      },
    );
    return () => {
      isCurrent = false;
    };
  }, [stableLoad]);
  const reload = useCallback(() => {
    setGeneration((value) => value + 1);
  }, []);
  return { ...state, reload };
}
