/** Parses an opaque id from a URL or body; anything that is not one of ours is null. */
export function parseId(value: string | null | undefined): number | null {
  if (value === null || value === undefined || !/^[1-9][0-9]{0,14}$/.test(value)) return null;
  return Number(value);
}
