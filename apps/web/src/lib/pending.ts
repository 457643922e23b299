import type { ActionResult, SubmitFunction } from '@sveltejs/kit';

/**
 * The enhance callback every form here uses: flag the form pending while it is in flight,
 * apply the result (keeping what was typed unless reset), then let the caller react.
 */
export function withPending(
  setPending: (pending: boolean) => void,
  options: { reset?: boolean; after?: (result: ActionResult, form: HTMLFormElement) => void } = {}
): SubmitFunction {
  return ({ formElement }) => {
    setPending(true);
    return async ({ result, update }) => {
      await update({ reset: options.reset ?? false });
      setPending(false);
      options.after?.(result, formElement);
    };
  };
}
