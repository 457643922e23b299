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
  createdAt: Timestamp
});
export type User = Static<typeof User>;

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
  displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 64, 'x-message': 'displayName must be 1 to 64 characters' }))
});
export type RegisterBody = Static<typeof RegisterBody>;

export const LoginBody = Type.Object({
  login: Type.String({ minLength: 1, maxLength: 254, 'x-message': 'login is required' }),
  password: Type.String({ minLength: 1, maxLength: 256, 'x-message': 'password is required' })
});
export type LoginBody = Static<typeof LoginBody>;

export const AuthResult = Type.Object({ user: User, token: Type.String() });
export type AuthResult = Static<typeof AuthResult>;
export const MeResult = Type.Object({
  user: User,
  /** Present while the caller is suspended: they may read, not write. */
  suspension: Type.Optional(Type.Object({ until: Type.String(), reason: Type.String() })),
  /** Present while the caller is suspended from some boards: they may not write there. */
  boardSuspensions: Type.Optional(Type.Array(Type.Object({ boardSlug: Type.String(), until: Type.String(), reason: Type.String() })))
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
