import type { User } from '@bmet/contracts';

declare global {
  namespace App {
    interface Error {
      message: string;
      code?: string;
    }
    interface Locals {
      user: User | null;
      token: string | null;
      /** Set while the signed-in user is suspended: they may read, not write. */
      suspension: { until: string; reason: string } | null;
      /** Boards the signed-in user is suspended from (by those boards' moderators): no writes there. */
      boardSuspensions: { boardSlug: string; until: string; reason: string }[];
      /** A moderator or admin acting as a member until they turn on two-factor sign-in (the admins' rule). */
      twoFactorSetupRequired: boolean;
      /** The API's session check for this request, lent to its later calls (the API's lib/session-refs.ts). */
      sessionRef: string | null;
      /** Unread notifications and the newest one's id, as /me told at the start of this request. */
      notifications: { unread: number; latestId: string | null } | null;
    }
  }
}

export {};
