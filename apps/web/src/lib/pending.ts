import type { ActionResult, SubmitFunction } from '@sveltejs/kit';

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
    return async ({ result, update }) => {
      await update({ reset: options.reset ?? false });
      setPending(false);
      if (options.keepFocus && submitter instanceof HTMLElement && submitter.isConnected && result.type !== 'redirect') {
        submitter.focus({ preventScroll: true });
      }
      options.after?.(result, formElement);
    };
  };
}
