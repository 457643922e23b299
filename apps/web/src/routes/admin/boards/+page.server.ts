import { error, fail, type RequestEvent } from '@sveltejs/kit';
import type { AdminBoardList, Board } from '@bmet/contracts';
import { api } from '$lib/server/api.ts';
import { checkFields, field, formFailure, requireAdmin, toLogin } from '../../mod/guard.server.ts';
import type { Actions, PageServerLoad } from './$types';

type AdminBoard = AdminBoardList['boards'][number];
type RoleTag = Board['roleTag'];
type FormName = 'create' | 'edit' | 'archive' | 'moderators';

const ROLE_TAGS = ['BME', 'CE', 'BMET'] as const;
const roleTagFrom = (value: string): RoleTag | undefined =>
  value === '' ? null : (ROLE_TAGS as readonly string[]).includes(value) ? (value as RoleTag) : undefined;

/** "@ana, bo  cy" -> ["ana", "bo", "cy"]: commas or spaces between, no @, no blanks or repeats. */
function parseUsernames(input: string): string[] {
  const names = input
    .split(/[\s,;]+/)
    .map((n) => n.trim().replace(/^@+/, ''))
    .filter((n) => n !== '');
  return [...new Map(names.map((n) => [n.toLowerCase(), n])).values()];
}

export const load: PageServerLoad = async (event) => {
  requireAdmin(event);
  const res = await api<AdminBoardList>(event, 'GET', '/admin/boards');
  if (res.status === 401) toLogin(event);
  if (res.status === 403) error(403, 'Only admins can manage boards');
  return {
    isAdmin: true,
    failed: res.status !== 200,
    boards: res.status === 200 ? res.data.boards : ([] as AdminBoard[])
  };
};

/** A refusal shown next to the form it came from. */
function refuse(
  status: number,
  form: FormName,
  slug: string | null,
  message: string,
  fields: Record<string, string>,
  values: Record<string, string>
) {
  return fail(status, { form, slug, message, fields, values });
}

async function start(event: RequestEvent) {
  requireAdmin(event);
  return event.request.formData();
}

const apiFailure = (
  event: RequestEvent,
  status: number,
  data: unknown,
  form: FormName,
  slug: string | null,
  fallback: string,
  values: Record<string, string>
) => {
  if (status === 401) toLogin(event, false);
  const { message, fields } = formFailure(status, data, fallback);
  return refuse(status, form, slug, message, fields, values);
};

const slugParam = (form: FormData) => field(form, 'slug').trim();
const boardPath = (slug: string) => `/admin/boards/${encodeURIComponent(slug)}`;

export const actions: Actions = {
  create: async (event) => {
    const form = await start(event);
    const values = {
      slug: field(form, 'slug').trim(),
      name: field(form, 'name'),
      description: field(form, 'description'),
      roleTag: field(form, 'roleTag')
    };
    const fields: Record<string, string> = {};
    if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(values.slug))
      fields.slug = 'Use 1 to 63 lower-case letters, digits or dashes, starting with a letter or digit';
    if (values.name.trim() === '') fields.name = 'Give the board a name';
    const roleTag = roleTagFrom(values.roleTag);
    if (roleTag === undefined) fields.roleTag = 'Choose a role tag from the list';
    if (Object.keys(fields).length > 0) return refuse(400, 'create', null, checkFields(fields), fields, values);
    const res = await api<AdminBoard>(event, 'POST', '/admin/boards', {
      slug: values.slug,
      name: values.name.trim(),
      description: values.description.trim(),
      roleTag
    });
    if (res.status === 201)
      return { form: 'create' as const, slug: res.data.board.slug, done: `Created the board “${res.data.board.name}”.` };
    return apiFailure(event, res.status, res.data, 'create', null, 'The board could not be created. Please try again.', values);
  },

  edit: async (event) => {
    const form = await start(event);
    const slug = slugParam(form);
    const values = {
      name: field(form, 'name'),
      description: field(form, 'description'),
      roleTag: field(form, 'roleTag'),
      position: field(form, 'position')
    };
    const fields: Record<string, string> = {};
    if (values.name.trim() === '') fields.name = 'Give the board a name';
    const roleTag = roleTagFrom(values.roleTag);
    if (roleTag === undefined) fields.roleTag = 'Choose a role tag from the list';
    const position = Number(values.position);
    if (values.position.trim() === '' || !Number.isInteger(position) || position < 0 || position > 10000) {
      fields.position = 'Position must be a whole number from 0 to 10000';
    }
    if (Object.keys(fields).length > 0) return refuse(400, 'edit', slug, checkFields(fields), fields, values);

    // Only what changed is sent, so the log says what was edited.
    const current = await api<AdminBoardList>(event, 'GET', '/admin/boards');
    if (current.status === 401) toLogin(event, false);
    const board = current.status === 200 ? current.data.boards.find((b) => b.board.slug === slug)?.board : undefined;
    if (current.status === 200 && board === undefined) return refuse(404, 'edit', slug, 'This board no longer exists.', {}, values);
    const changes: { name?: string; description?: string; roleTag?: RoleTag; position?: number } = {};
    const name = values.name.trim();
    const description = values.description.trim();
    if (board === undefined || name !== board.name) changes.name = name;
    if (board === undefined || description !== board.description) changes.description = description;
    if (board === undefined || roleTag !== board.roleTag) changes.roleTag = roleTag;
    if (board === undefined || position !== board.position) changes.position = position;
    if (Object.keys(changes).length === 0) return { form: 'edit' as const, slug, done: 'Nothing changed.' };
    const res = await api<AdminBoard>(event, 'PATCH', boardPath(slug), changes);
    if (res.status === 200) return { form: 'edit' as const, slug, done: `Saved “${res.data.board.name}”.` };
    return apiFailure(event, res.status, res.data, 'edit', slug, 'The board could not be saved. Please try again.', values);
  },

  archive: async (event) => {
    const form = await start(event);
    const slug = slugParam(form);
    const archived = field(form, 'archived') === 'true';
    const res = await api<AdminBoard>(event, 'PATCH', boardPath(slug), { archived });
    if (res.status === 200) {
      const name = res.data.board.name;
      return {
        form: 'archive' as const,
        slug,
        done: archived ? `Archived “${name}”: it is read-only now.` : `Unarchived “${name}”: members can post again.`
      };
    }
    return apiFailure(event, res.status, res.data, 'archive', slug, 'The board could not be changed. Please try again.', {});
  },

  moderators: async (event) => {
    const form = await start(event);
    const slug = slugParam(form);
    const values = { usernames: field(form, 'usernames') };
    const usernames = parseUsernames(values.usernames);
    if (usernames.length > 50) {
      return refuse(400, 'moderators', slug, 'Check the moderators.', { usernames: 'A board can have at most 50 moderators' }, values);
    }
    const res = await api<AdminBoard>(event, 'PUT', `${boardPath(slug)}/moderators`, { usernames });
    if (res.status === 200) {
      const count = res.data.moderators.length;
      return {
        form: 'moderators' as const,
        slug,
        done:
          count === 0 ? `“${res.data.board.name}” has no moderators of its own now.` : `Saved the moderators of “${res.data.board.name}”.`
      };
    }
    return apiFailure(event, res.status, res.data, 'moderators', slug, 'The moderators could not be saved. Please try again.', values);
  }
};
