/**
 * Attributes that open a `<details>` when `flag` holds (a form inside it came back with an
 * error), for a spread: `<details {...openIf(flag)}>`.
 *
 * Not `open={flag}`: Svelte groups an element's dynamic attributes with its neighbours' into one
 * render effect, so any data reload (a navigation, `invalidateAll`, another form's result) wrote
 * `open = false` again and closed the control the reader had just opened, text and all. A
 * spread sets only the attributes whose value changed, so the control stays as the reader left
 * it until the flag itself changes. Server-rendered pages (no JavaScript) get the attribute too.
 */
export function openIf(flag: boolean): { open?: true } {
  return flag ? { open: true } : {};
}
