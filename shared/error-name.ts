/**
 * True when `error` is an object whose `name` is `name`: how the `isX()` guards of every
 * named error recognise it, even when it crossed a realm (a Web Worker, an iframe) or was
 * rebuilt from a message, where `instanceof` fails.
 * @example hasErrorName(Object.assign(new Error('gone'), { name: 'PeerLostError' }), 'PeerLostError') // true
 */
export function hasErrorName(error: unknown, name: string): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === name;
}
