/** Where the join page keeps the join token once it has left the address bar. */
export const JOIN_TOKEN_KEY = 'tabgrid.joinToken';

/** The storage the token is kept in: the tab's `sessionStorage` (a reload keeps it, a closed tab does not). */
export type TokenStorage = Pick<Storage, 'getItem' | 'setItem'>;

export interface JoinToken {
  token: string | null;
  /** The page's address without the token, to put in place of the current one; absent when nothing changes. */
  addressWithoutToken?: string;
}

/**
 * Takes the join token from the page's address into `storage`, so it leaves the address bar
 * (a screen share, a copied link or the history would otherwise carry it). With no token in the
 * address, the one kept from before (a reload, a duplicated tab) is used. When the token cannot
 * be kept (storage refused), it stays in the address: a reload must still find it.
 * @example
 * takeJoinToken('https://grid.example/join?token=abc&debug=1', sessionStorage)
 * // { token: 'abc', addressWithoutToken: 'https://grid.example/join?debug=1' }
 */
export function takeJoinToken(href: string, storage: TokenStorage | undefined): JoinToken {
  const url = new URL(href);
  const fromAddress = url.searchParams.get('token');
  if (!fromAddress) return { token: kept(storage) };
  try {
    if (!storage) return { token: fromAddress };
    storage.setItem(JOIN_TOKEN_KEY, fromAddress);
  } catch {
    return { token: fromAddress };
  }
  url.searchParams.delete('token');
  return { token: fromAddress, addressWithoutToken: url.href };
}

function kept(storage: TokenStorage | undefined): string | null {
  try {
    return storage?.getItem(JOIN_TOKEN_KEY) ?? null;
  } catch {
    return null;
  }
}

/** The tab's `sessionStorage`, or undefined where the page may not use it (a sandboxed frame). */
export function pageSessionStorage(): TokenStorage | undefined {
  try {
    return globalThis.sessionStorage;
  } catch {
    return undefined;
  }
}
