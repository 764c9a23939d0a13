import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { isUnauthorized } from './client.js';

/** What a read gave: its value once it came, the last error, and how to read again. */
export interface Loaded<T> {
  value: T | undefined;
  error: string | undefined;
  reload: () => void;
}

let onUnauthorized: () => void = () => undefined;

/** What the panel does when a call finds the session over (the login form). */
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

/** An error in words; a refused session goes back to the login form. */
export function describeError(error: unknown): string {
  if (isUnauthorized(error)) onUnauthorized();
  return error instanceof Error ? error.message : String(error);
}

/**
 * Reads `read()` when the component shows and whenever `keys` change, and again on `reload()`;
 * a read that ends after a newer one began is dropped. The old value stays shown while reading.
 */
export function useLoad<T>(read: () => Promise<T>, keys: readonly unknown[]): Loaded<T> {
  const [value, setValue] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [round, setRound] = useState(0);
  const latest = useRef(0);
  const reload = useCallback(() => setRound((n) => n + 1), []);
  useEffect(() => {
    const mine = ++latest.current;
    read().then(
      (result) => {
        if (mine !== latest.current) return;
        setValue(() => result);
        setError(undefined);
      },
      (cause: unknown) => {
        if (mine === latest.current) setError(describeError(cause));
      },
    );
  }, [...keys, round]);
  return { value, error, reload };
}

/**
 * `fn`, called at most once per `ms` however often it is asked for: the first ask runs at once,
 * later asks within the window run once at its end.
 */
export function useThrottle(fn: () => void, ms: number): () => void {
  const current = useRef(fn);
  current.current = fn;
  const state = useRef<{ last: number; timer: ReturnType<typeof setTimeout> | undefined }>({ last: 0, timer: undefined });
  useEffect(() => () => clearTimeout(state.current.timer), []);
  return useCallback(() => {
    const s = state.current;
    if (s.timer !== undefined) return;
    const wait = s.last + ms - Date.now();
    if (wait <= 0) {
      s.last = Date.now();
      current.current();
      return;
    }
    s.timer = setTimeout(() => {
      s.timer = undefined;
      s.last = Date.now();
      current.current();
    }, wait);
  }, [ms]);
}
