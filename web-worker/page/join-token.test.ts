import { describe, expect, it } from 'vitest';
import { JOIN_TOKEN_KEY, takeJoinToken, type TokenStorage } from './join-token.js';

function memoryStorage(initial: Record<string, string> = {}): TokenStorage & { items: Map<string, string> } {
  const items = new Map(Object.entries(initial));
  return { items, getItem: (key) => items.get(key) ?? null, setItem: (key, value) => void items.set(key, value) };
}

describe('takeJoinToken', () => {
  it('keeps the token from the address and drops it from there, keeping the other parameters', () => {
    const storage = memoryStorage();
    expect(takeJoinToken('https://grid.example/join?token=abc&debug=1#x', storage)).toEqual({
      token: 'abc',
      addressWithoutToken: 'https://grid.example/join?debug=1#x',
    });
    expect(storage.items.get(JOIN_TOKEN_KEY)).toBe('abc');
  });

  it('uses the kept token when the address has none, and a new one in the address over the kept one', () => {
    const storage = memoryStorage({ [JOIN_TOKEN_KEY]: 'old' });
    expect(takeJoinToken('https://grid.example/join?debug=1', storage)).toEqual({ token: 'old' });
    expect(takeJoinToken('https://grid.example/join?token=new', storage).token).toBe('new');
    expect(storage.items.get(JOIN_TOKEN_KEY)).toBe('new');
  });

  it('leaves the token in the address when it cannot be kept', () => {
    const refusing: TokenStorage = {
      getItem: () => null,
      setItem: () => {
        throw new DOMException('denied', 'SecurityError');
      },
    };
    expect(takeJoinToken('https://grid.example/join?token=abc', refusing)).toEqual({ token: 'abc' });
    expect(takeJoinToken('https://grid.example/join?token=abc', undefined)).toEqual({ token: 'abc' });
    expect(takeJoinToken('https://grid.example/join', undefined)).toEqual({ token: null });
  });
});
