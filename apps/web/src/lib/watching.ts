/** Notification levels of a thread and watch toggles: what the controls say, shared by pages. */

export type Level = 'watching' | 'muted' | 'none';

export interface LevelOption {
  level: Level;
  label: string;
  /** One short sentence: what this level notifies of. */
  hint: string;
}

/** In the order the controls show them: most to least. */
export const levelOptions: readonly LevelOption[] = [
  { level: 'watching', label: 'Watching', hint: 'Notified of every reply.' },
  { level: 'none', label: 'Normal', hint: 'Notified of replies to you and @mentions.' },
  { level: 'muted', label: 'Muted', hint: 'Notified only of @mentions.' }
];

export function isLevel(value: unknown): value is Level {
  return value === 'watching' || value === 'muted' || value === 'none';
}

export function levelHint(level: Level): string {
  return levelOptions.find((o) => o.level === level)?.hint ?? '';
}

/**
 * A form action on the current page that keeps its query (sort, cursor, subtree): `?/name`
 * alone would drop it and the page would come back on its first page.
 */
export function actionKeeping(url: URL, name: string, keys: readonly string[]): string {
  const q = new URLSearchParams();
  for (const key of keys) {
    const value = url.searchParams.get(key);
    if (value !== null) q.set(key, value);
  }
  const search = q.toString();
  return `?${search === '' ? '' : `${search}&`}/${name}`;
}
