import type { ActionResult, SubmitFunction } from '@sveltejs/kit';

/** What to say when a form's request never got an answer (offline, the server down or restarting). */
export function unreachableMessage(online: boolean): string {
  return online
    ? 'The forum could not be reached, so nothing was sent. What you typed is still here.'
    : 'You are offline, so nothing was sent. What you typed is still here: send it again once you have signal.';
}

/**
 * A send that got no answer keeps the form as it was (SvelteKit would otherwise replace the
 * page with its error page, and the text with it) and says so next to the form, with a button
 * that sends it again. The message lives in a node of its own at the end of the form, removed
 * by the next attempt.
 */
function showUnreachable(form: HTMLFormElement, submitter: HTMLElement | null): void {
  clearUnreachable(form);
  const box = document.createElement('div');
  box.className = 'send-failed';
  box.setAttribute('role', 'alert');
  const text = document.createElement('p');
  text.textContent = unreachableMessage(navigator.onLine);
  const retry = document.createElement('button');
  retry.type = 'button';
  retry.className = 'btn small secondary';
  retry.textContent = 'Try again';
  retry.addEventListener('click', () => {
    clearUnreachable(form);
    form.requestSubmit(submitter instanceof HTMLButtonElement && submitter.form === form ? submitter : null);
  });
  box.append(text, retry);
  form.append(box);
}

function clearUnreachable(form: HTMLFormElement): void {
  form.querySelector(':scope > .send-failed')?.remove();
}

/** The action threw or never answered: `result.type === 'error'` without a status of its own. */
export function unreachable(result: ActionResult): boolean {
  return result.type === 'error' && (result.status === undefined || result.status >= 500);
}

/**
 * The enhance callback every form here uses: flag the form pending while it is in flight,
 * apply the result (keeping what was typed unless reset), then let the caller react.
 *
 * `keepFocus`: SvelteKit moves the focus to the page after a successful action, as after a
 * navigation; a toggle that stays where it was (a watch button) takes it back instead, so a
 * keyboard user can go on from it.
 */
export function withPending(
  setPending: (pending: boolean) => void,
  options: { reset?: boolean; keepFocus?: boolean; after?: (result: ActionResult, form: HTMLFormElement) => void } = {}
): SubmitFunction {
  return ({ formElement, submitter }) => {
    setPending(true);
    clearUnreachable(formElement);
    return async ({ result, update }) => {
      if (unreachable(result)) {
        setPending(false);
        showUnreachable(formElement, submitter);
        options.after?.(result, formElement);
        return;
      }
      await update({ reset: options.reset ?? false });
      // SvelteKit resets only after a success it stays for; a form that redirects back to its own
      // page keeps the typed passwords in the reused inputs unless told.
      if (options.reset === true && result.type === 'redirect') formElement.reset();
      setPending(false);
      if (options.keepFocus && submitter instanceof HTMLElement && submitter.isConnected && result.type !== 'redirect') {
        submitter.focus({ preventScroll: true });
      }
      options.after?.(result, formElement);
    };
  };
}
