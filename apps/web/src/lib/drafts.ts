/**
 * Drafts kept in the browser while a member types: a reply, an edit or a new thread survives a
 * reload, a crash of the tab or a dropped connection, and is gone once it was posted.
 *
 * Keys carry the member's id, so two people taking turns at a workstation in the shop never see
 * each other's text, and logging out clears the member's drafts (a draft can hold what a post
 * should not yet show). Drafts older than a week are dropped as they are read.
 */
const PREFIX = 'bmet:draft:';
const MAX_AGE_MS = 7 * 24 * 3600 * 1000;

export interface Draft {
  /** The composer's fields: `body`, and for a new thread `title` and the others. */
  fields: Record<string, string>;
  savedAt: number;
}

function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    // Storage disabled (a locked-down browser): no drafts, nothing breaks.
    return null;
  }
}

export const draftStorageKey = (userId: string, key: string) => `${PREFIX}${userId}:${key}`;

export function loadDraft(userId: string, key: string, now = Date.now()): Draft | null {
  const store = storage();
  if (store === null) return null;
  const name = draftStorageKey(userId, key);
  const raw = store.getItem(name);
  if (raw === null) return null;
  try {
    const value = JSON.parse(raw) as Partial<Draft>;
    const fields = value.fields;
    if (typeof value.savedAt !== 'number' || typeof fields !== 'object' || fields === null) throw new Error('not a draft');
    if (now - value.savedAt > MAX_AGE_MS) throw new Error('too old');
    const clean: Record<string, string> = {};
    for (const [k, v] of Object.entries(fields)) if (typeof v === 'string') clean[k] = v;
    return { fields: clean, savedAt: value.savedAt };
  } catch {
    store.removeItem(name);
    return null;
  }
}

/** Saves the fields, or removes the draft when every field is blank. */
export function saveDraft(userId: string, key: string, fields: Record<string, string>, now = Date.now()): void {
  const store = storage();
  if (store === null) return;
  const name = draftStorageKey(userId, key);
  if (Object.values(fields).every((v) => v.trim() === '')) {
    store.removeItem(name);
    return;
  }
  try {
    store.setItem(name, JSON.stringify({ fields, savedAt: now } satisfies Draft));
  } catch {
    // Quota exceeded: the text is still in the form.
  }
}

export function clearDraft(userId: string, key: string): void {
  storage()?.removeItem(draftStorageKey(userId, key));
}

/** Every draft of this member (at log-out), or of everyone when no id is given. */
export function clearAllDrafts(userId?: string): void {
  const store = storage();
  if (store === null) return;
  const prefix = userId === undefined ? PREFIX : `${PREFIX}${userId}:`;
  const names: string[] = [];
  for (let i = 0; i < store.length; i++) {
    const name = store.key(i);
    if (name?.startsWith(prefix)) names.push(name);
  }
  for (const name of names) store.removeItem(name);
}

/**
 * The server's copy (signed-in members): a draft follows its author to another device. Every
 * call is best effort; offline or refused, the browser's copy is still there.
 */
const draftUrl = (key: string) => `/api/v1/drafts/${encodeURIComponent(key)}`;

export async function fetchServerDraft(key: string): Promise<Draft | null> {
  try {
    const res = await fetch(draftUrl(key), { headers: { accept: 'application/json' }, cache: 'no-store' });
    if (res.status !== 200) return null;
    const data = (await res.json()) as { draft?: { fields?: Record<string, string>; updatedAt?: string } };
    const savedAt = Date.parse(data.draft?.updatedAt ?? '');
    if (data.draft?.fields === undefined || Number.isNaN(savedAt)) return null;
    return { fields: data.draft.fields, savedAt };
  } catch {
    return null;
  }
}

export async function pushServerDraft(key: string, fields: Record<string, string>): Promise<void> {
  try {
    await fetch(draftUrl(key), { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ fields }) });
  } catch {
    // Offline: the local copy is enough until the next pause in typing.
  }
}

export async function dropServerDraft(key: string): Promise<void> {
  try {
    await fetch(draftUrl(key), { method: 'DELETE' });
  } catch {
    // Offline: it is replaced by the next draft of this composer, or expires from the list of 100.
  }
}

/** The newer of two drafts (the device's and the server's). */
export function newer(a: Draft | null, b: Draft | null): Draft | null {
  if (a === null) return b;
  if (b === null) return a;
  return b.savedAt > a.savedAt ? b : a;
}
