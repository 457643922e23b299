import { Type, type Static } from 'typebox';
import { Id, Timestamp } from './common.ts';

export const professions = ['BME', 'CE', 'BMET', 'other'] as const;
export const roles = ['member', 'moderator', 'admin'] as const;
export type Profession = (typeof professions)[number];
export type Role = (typeof roles)[number];

export const Profession = Type.Union([Type.Literal('BME'), Type.Literal('CE'), Type.Literal('BMET'), Type.Literal('other')], {
  'x-message': 'profession must be one of BME, CE, BMET, other'
});
export const Role = Type.Union([Type.Literal('member'), Type.Literal('moderator'), Type.Literal('admin')]);

export const User = Type.Object({
  id: Id,
  username: Type.String(),
  displayName: Type.String(),
  profession: Profession,
  role: Role,
  /** A few lines about the member, plain text; null when they wrote none. */
  bio: Type.Union([Type.String(), Type.Null()]),
  createdAt: Timestamp
});
export type User = Static<typeof User>;

/** The member's own view of themself (/me, login, register): also their address and whether it is confirmed. */
export const OwnUser = Type.Object({ ...User.properties, email: Type.String(), emailVerified: Type.Boolean() });
export type OwnUser = Static<typeof OwnUser>;

export const Author = Type.Object({
  id: Id,
  username: Type.String(),
  displayName: Type.String(),
  profession: Profession,
  role: Role
});
export type Author = Static<typeof Author>;

export const USERNAME_PATTERN = '^[A-Za-z0-9_][A-Za-z0-9_.-]{2,31}$';

export const RegisterBody = Type.Object({
  username: Type.String({
    pattern: USERNAME_PATTERN,
    'x-message': 'username must be 3 to 32 letters, digits, dots, dashes or underscores'
  }),
  email: Type.String({
    maxLength: 254,
    pattern: '^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$',
    'x-message': 'email must be a valid address'
  }),
  password: Type.String({
    minLength: 10,
    maxLength: 256,
    'x-message': 'password must be 10 to 256 characters'
  }),
  profession: Profession,
  displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 64, 'x-message': 'displayName must be 1 to 64 characters' })),
  /** The member's IANA time zone (the digest comes in their morning); UTC when absent. */
  timeZone: Type.Optional(Type.String({ maxLength: 64, 'x-message': 'timeZone must be an IANA time zone such as America/Chicago' }))
});
export type RegisterBody = Static<typeof RegisterBody>;

export const LoginBody = Type.Object({
  login: Type.String({ minLength: 1, maxLength: 254, 'x-message': 'login is required' }),
  password: Type.String({ minLength: 1, maxLength: 256, 'x-message': 'password is required' })
});
export type LoginBody = Static<typeof LoginBody>;

export const AuthResult = Type.Object({
  user: OwnUser,
  token: Type.String(),
  /**
   * Present (true) when the account has two-factor sign-in: the token only finishes signing in,
   * with POST /auth/two-factor, within ten minutes.
   */
  twoFactorRequired: Type.Optional(Type.Boolean())
});
export type AuthResult = Static<typeof AuthResult>;
export const MeResult = Type.Object({
  user: OwnUser,
  /** Present while the caller is suspended: they may read, not write. */
  suspension: Type.Optional(Type.Object({ until: Type.String(), reason: Type.String() })),
  /** Present (true) for a moderator or admin who must set up two-factor sign-in before acting as one. */
  twoFactorSetupRequired: Type.Optional(Type.Boolean()),
  /** Present while the caller is suspended from some boards: they may not write there. */
  boardSuspensions: Type.Optional(Type.Array(Type.Object({ boardSlug: Type.String(), until: Type.String(), reason: Type.String() }))),
  /** The caller's unread notifications (the bell) and the newest notification's id (where the live socket resumes). */
  notifications: Type.Optional(Type.Object({ unread: Type.Integer(), latestId: Type.Union([Type.String(), Type.Null()]) }))
});
export type MeResult = Static<typeof MeResult>;

/** The @mention suggestions: members whose username or display name starts with `q`. */
export const UserSuggestQuery = Type.Object({
  q: Type.String({ minLength: 1, maxLength: 32, 'x-message': 'q must be 1 to 32 characters' }),
  /** A thread id: its participants come first, marked inThread. */
  thread: Type.Optional(Type.String({ maxLength: 20, 'x-message': 'thread must be a thread id' }))
});
export const UserSuggestion = Type.Object({ ...Author.properties, inThread: Type.Boolean() });
export type UserSuggestion = Static<typeof UserSuggestion>;
export const UserSuggestions = Type.Object({ users: Type.Array(UserSuggestion) });
export type UserSuggestions = Static<typeof UserSuggestions>;

export const BIO_MAX = 500;
/** PATCH /me: any of the three; a field left out stays as it is. */
export const UpdateMeBody = Type.Object({
  displayName: Type.Optional(Type.String({ maxLength: 200, 'x-message': 'displayName must be 1 to 64 printable characters' })),
  profession: Type.Optional(Profession),
  bio: Type.Optional(
    Type.Union([Type.String({ maxLength: 2000, 'x-message': `bio must be at most ${BIO_MAX} characters` }), Type.Null()], {
      'x-message': `bio must be at most ${BIO_MAX} characters, or null`
    })
  )
});
export type UpdateMeBody = Static<typeof UpdateMeBody>;
export const UserResult = Type.Object({ user: OwnUser });
export type UserResult = Static<typeof UserResult>;

export const ChangePasswordBody = Type.Object({
  currentPassword: Type.String({ minLength: 1, maxLength: 256, 'x-message': 'currentPassword is required' }),
  newPassword: Type.String({ minLength: 1, maxLength: 256, 'x-message': 'newPassword is required' })
});
export type ChangePasswordBody = Static<typeof ChangePasswordBody>;

export const SessionInfo = Type.Object({
  id: Type.String(),
  createdAt: Timestamp,
  lastSeenAt: Timestamp,
  userAgent: Type.Union([Type.String(), Type.Null()]),
  /** The session this request came with. */
  current: Type.Boolean()
});
export type SessionInfo = Static<typeof SessionInfo>;
export const SessionList = Type.Object({ sessions: Type.Array(SessionInfo) });
export type SessionList = Static<typeof SessionList>;
