/** Sign-in: pick a display name → `POST /api/auth/guest`; the token is kept in localStorage. */
import { h, field } from '../dom';
import type { AppContext } from '../routes';

export function mountSignIn(main: HTMLElement, ctx: AppContext): () => void {
  const name = h('input', {
    name: 'name',
    autocomplete: 'nickname',
    required: true,
    maxlength: 24,
    placeholder: 'e.g. Ann',
    'data-testid': 'signin-name',
    value: localStorage.getItem('arena.lastName') ?? '',
  });
  const error = h('p', { class: 'form-error', 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'primary', 'data-testid': 'signin-submit' }, 'Play');
  const invite = ctx.route.page === 'room' ? h('p', { class: 'lead' }, `You were invited to room ${ctx.route.code}. Choose a name to join.`) : null;

  const form = h(
    'form',
    { class: 'panel signin', 'aria-labelledby': 'signin-title' },
    h('h1', { id: 'signin-title' }, 'Welcome to Arena'),
    invite ?? h('p', { class: 'lead' }, 'Card games and tabletop sessions with friends. Choose a name to start.'),
    field('Your name', name, '1–24 characters; others see it at the table.'),
    error,
    submit,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const value = name.value.trim();
    if (!value) {
      error.textContent = 'Please enter a name.';
      name.focus();
      return;
    }
    submit.disabled = true;
    error.textContent = '';
    try {
      await ctx.session.signIn(value);
      localStorage.setItem('arena.lastName', value);
      ctx.refresh();
    } catch (e) {
      error.textContent = (e as Error).message;
      submit.disabled = false;
      name.focus();
    }
  });

  main.replaceChildren(form);
  name.focus();
  return () => {};
}
