import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorBody, MarkReadBody, NotificationList, PageQuery, UnreadResult } from '@bmet/contracts';
import { decodeCursor, encodeCursor } from '../lib/cursor.ts';
import { invalid } from '../lib/http-error.ts';
import { parseId } from '../lib/ids.ts';
import { requireUser } from '../plugins/auth.ts';
import { listNotifications, markRead, unreadCount } from '../domain/notifications.ts';
import { toNotification } from '../domain/serialize.ts';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 413: ErrorBody };

export const notificationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/notifications',
    { schema: { tags: ['notifications'], querystring: PageQuery, response: { 200: NotificationList, ...errors } } },
    async (request) => {
      const user = requireUser(request);
      const { limit = 50, cursor } = request.query;
      let before: number | null = null;
      if (cursor !== undefined) {
        const values = decodeCursor(cursor, ['int']);
        if (values === null) throw invalid('cursor', 'cursor is not valid for this list');
        before = values[0] as number;
      }
      const [page, unread] = await Promise.all([listNotifications(app.db, user.id, limit, before), unreadCount(app.db, user.id)]);
      return {
        notifications: page.rows.map(({ notification, actor, threadTitle, excerpt }) =>
          toNotification(notification, actor, threadTitle, excerpt)
        ),
        unread,
        nextCursor: page.nextId === null ? null : encodeCursor([page.nextId])
      };
    }
  );

  app.post(
    '/notifications/read',
    { schema: { tags: ['notifications'], body: MarkReadBody, response: { 200: UnreadResult, ...errors } } },
    async (request) => {
      const user = requireUser(request);
      const { ids, all } = request.body;
      if (all === true) return { unread: await markRead(app.db, user.id, 'all') };
      if (ids === undefined) throw invalid('ids', 'send ids or all: true');
      // Ids that are not ours or not ids at all mark nothing.
      const parsed = ids.flatMap((raw) => {
        const id = parseId(raw);
        return id === null ? [] : [id];
      });
      return { unread: await markRead(app.db, user.id, parsed) };
    }
  );
};
