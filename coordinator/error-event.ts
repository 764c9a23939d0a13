/**
 * `@hono/node-ws` reports a socket's errors (a frame over `maxPayload`, a bad frame) as
 * `new ErrorEvent('error', { error })`, a global Node has only since 22. On Node 20 that line
 * throws a ReferenceError instead of calling the socket's `onError`. This defines a minimal
 * `ErrorEvent` on `globalThis` when (and only when) the runtime lacks one.
 */
export function ensureErrorEvent(): void {
  if ('ErrorEvent' in globalThis) return;
  Object.defineProperty(globalThis, 'ErrorEvent', { value: MinimalErrorEvent, writable: true, configurable: true });
}

/** The fields of the DOM's `ErrorEvent` a socket error fills in. */
class MinimalErrorEvent extends Event {
  readonly error: unknown;
  readonly message: string;

  constructor(type: string, init: { error?: unknown; message?: string } & EventInit = {}) {
    super(type, init);
    this.error = init.error;
    this.message = init.message ?? (init.error instanceof Error ? init.error.message : '');
  }
}
