import { useRef } from 'preact/hooks';

/** The admin token form: the token opens a session and is not kept by the page. */
export function LoginForm({ message, onLogIn }: { message: string | undefined; onLogIn: (token: string) => Promise<void> }) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <form
      id="login-form"
      class="login"
      onSubmit={(event) => {
        event.preventDefault();
        const token = input.current?.value.trim() ?? '';
        if (input.current) input.current.value = '';
        if (token !== '') void onLogIn(token);
      }}
    >
      <h1>Log in</h1>
      <label for="token">Admin token</label>
      <input id="token" ref={input} name="token" type="password" autocomplete="current-password" required autoFocus />
      <button id="login" type="submit">
        Log in
      </button>
      {message !== undefined && (
        <p id="login-error" class="error" role="alert">
          {message}
        </p>
      )}
    </form>
  );
}
