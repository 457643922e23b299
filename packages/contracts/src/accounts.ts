import { Type, type Static } from 'typebox';
import { Id, Timestamp } from './common.ts';

const EMAIL = Type.String({
  maxLength: 254,
  pattern: '^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$',
  'x-message': 'email must be a valid address'
});
const TOKEN = Type.String({ minLength: 1, maxLength: 200, 'x-message': 'token is required' });
const PASSWORD = Type.String({ minLength: 1, maxLength: 256, 'x-message': 'password is required' });

export const ForgotPasswordBody = Type.Object({ email: EMAIL });
export type ForgotPasswordBody = Static<typeof ForgotPasswordBody>;
export const ResetPasswordBody = Type.Object({
  token: TOKEN,
  password: Type.String({ minLength: 10, maxLength: 256, 'x-message': 'password must be 10 to 256 characters' })
});
export type ResetPasswordBody = Static<typeof ResetPasswordBody>;
export const VerifyEmailBody = Type.Object({ token: TOKEN });
export type VerifyEmailBody = Static<typeof VerifyEmailBody>;
export const ChangeEmailBody = Type.Object({ email: EMAIL, password: PASSWORD });
export type ChangeEmailBody = Static<typeof ChangeEmailBody>;
/** 202: the link is on its way to `pendingEmail`. */
export const ChangeEmailResult = Type.Object({ pendingEmail: Type.String() });
export const Accepted = Type.Object({ accepted: Type.Literal(true) });

/** What a link in an e-mail did (verify-email: a verification or a change of address). */
export const VerifyEmailResult = Type.Object({ email: Type.String(), changed: Type.Boolean() });

export const EmailSettings = Type.Object({
  /** Replies, mentions and accepted answers not seen on the site within the delay. */
  notifications: Type.Boolean(),
  /** The daily digest of watched boards and models. */
  digest: Type.Boolean(),
  timeZone: Type.String(),
  /** Both stay off until the address is confirmed. */
  emailVerified: Type.Boolean(),
  /** When the next digest is due (null: none, e.g. off or unconfirmed). */
  nextDigestAt: Type.Union([Timestamp, Type.Null()]),
  /** How long a notification may go unseen on the site before it is e-mailed (EMAIL_NOTIFY_DELAY_S). */
  notifyDelaySeconds: Type.Integer()
});
export type EmailSettings = Static<typeof EmailSettings>;
export const UpdateEmailSettingsBody = Type.Object({
  notifications: Type.Optional(Type.Boolean()),
  digest: Type.Optional(Type.Boolean()),
  timeZone: Type.Optional(Type.String({ maxLength: 64, 'x-message': 'timeZone must be an IANA time zone such as America/Chicago' }))
});
export type UpdateEmailSettingsBody = Static<typeof UpdateEmailSettingsBody>;

export const UnsubscribeResult = Type.Object({ list: Type.Union([Type.Literal('notifications'), Type.Literal('digest')]) });

export const TwoFactorStatus = Type.Object({
  /** Signing in takes a second factor (the app, or a passkey). */
  enabled: Type.Boolean(),
  /** An authenticator app (TOTP) is set up. */
  totp: Type.Boolean(),
  /** Passkeys and security keys registered. */
  passkeys: Type.Integer(),
  /** Whether this forum can use passkeys (PUBLIC_URL names a host, not an IP address). */
  passkeysAvailable: Type.Boolean(),
  recoveryCodesLeft: Type.Integer(),
  /** The admins require it of moderators and admins. */
  requiredForModerators: Type.Boolean()
});
export type TwoFactorStatus = Static<typeof TwoFactorStatus>;
/** A new key to enrol: nothing is stored until a code from it is confirmed. */
export const TwoFactorSetup = Type.Object({ key: Type.String(), uri: Type.String() });
export type TwoFactorSetup = Static<typeof TwoFactorSetup>;
const CODE = Type.String({ minLength: 1, maxLength: 32, 'x-message': 'code must be the 6 digits your app shows' });
export const EnableTwoFactorBody = Type.Object({
  key: Type.String({ minLength: 16, maxLength: 64, pattern: '^[A-Za-z2-7]+=*$', 'x-message': 'key must be the key from setup' }),
  code: CODE,
  password: PASSWORD
});
export type EnableTwoFactorBody = Static<typeof EnableTwoFactorBody>;
export const RecoveryCodes = Type.Object({ recoveryCodes: Type.Array(Type.String()) });
export type RecoveryCodes = Static<typeof RecoveryCodes>;
export const DisableTwoFactorBody = Type.Object({ password: PASSWORD, code: CODE });
export type DisableTwoFactorBody = Static<typeof DisableTwoFactorBody>;
export const PasswordBody = Type.Object({ password: PASSWORD });
export type PasswordBody = Static<typeof PasswordBody>;
/** The second step of signing in: a code from the app, or one of the recovery codes. */
export const TwoFactorLoginBody = Type.Object({ code: CODE });
export type TwoFactorLoginBody = Static<typeof TwoFactorLoginBody>;

export const MailStatus = Type.Union([Type.Literal('held'), Type.Literal('queued'), Type.Literal('sent'), Type.Literal('failed')]);
export const OutboxEntry = Type.Object({
  id: Id,
  kind: Type.String(),
  to: Type.String(),
  subject: Type.String(),
  status: MailStatus,
  attempts: Type.Integer(),
  lastError: Type.Union([Type.String(), Type.Null()]),
  createdAt: Timestamp,
  sentAt: Type.Union([Timestamp, Type.Null()]),
  username: Type.Union([Type.String(), Type.Null()])
});
export type OutboxEntry = Static<typeof OutboxEntry>;
export const OutboxList = Type.Object({
  messages: Type.Array(OutboxEntry),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
  sending: Type.Boolean()
});
export type OutboxList = Static<typeof OutboxList>;
export const OutboxMessage = Type.Object({
  message: Type.Object({
    ...OutboxEntry.properties,
    text: Type.String(),
    html: Type.String(),
    headers: Type.Record(Type.String(), Type.String())
  })
});
export type OutboxMessage = Static<typeof OutboxMessage>;
export const OutboxQuery = Type.Object({
  status: Type.Optional(
    Type.Union([Type.Literal('held'), Type.Literal('queued'), Type.Literal('sent'), Type.Literal('failed'), Type.Literal('all')], {
      'x-message': 'status must be held, queued, sent, failed or all'
    })
  ),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, 'x-message': 'limit must be 1 to 200' })),
  cursor: Type.Optional(Type.String({ maxLength: 200 }))
});

export const AdminUserView = Type.Object({
  user: Type.Object({
    id: Id,
    username: Type.String(),
    displayName: Type.String(),
    role: Type.String(),
    email: Type.String(),
    emailVerified: Type.Boolean(),
    twoFactor: Type.Boolean(),
    createdAt: Timestamp,
    lastActiveAt: Type.Union([Timestamp, Type.Null()]),
    closed: Type.Boolean()
  })
});
export type AdminUserView = Static<typeof AdminUserView>;
export const SetVerifiedBody = Type.Object({ verified: Type.Boolean({ 'x-message': 'verified must be true or false' }) });

export const SiteSettingsView = Type.Object({ requireTwoFactorForModerators: Type.Boolean() });
export type SiteSettingsView = Static<typeof SiteSettingsView>;
export const UpdateSiteSettingsBody = Type.Object({ requireTwoFactorForModerators: Type.Optional(Type.Boolean()) });

/** A passkey or security key of the member's (never its key material). */
export const PasskeyInfo = Type.Object({
  id: Type.String(),
  name: Type.String(),
  createdAt: Timestamp,
  lastUsedAt: Type.Union([Timestamp, Type.Null()])
});
export const PasskeyList = Type.Object({ passkeys: Type.Array(PasskeyInfo), available: Type.Boolean() });
export type PasskeyList = Static<typeof PasskeyList>;
/** What the browser's WebAuthn call takes (PublicKeyCredentialCreationOptionsJSON / RequestOptionsJSON). */
export const WebAuthnOptions = Type.Object({ options: Type.Record(Type.String(), Type.Unknown()) });
/** The browser's WebAuthn answer, as @simplewebauthn/browser hands it over. */
const WebAuthnResponse = Type.Object(
  {
    id: Type.String({ maxLength: 1024 }),
    rawId: Type.String({ maxLength: 1024 }),
    type: Type.Literal('public-key'),
    response: Type.Record(Type.String(), Type.Unknown()),
    clientExtensionResults: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    authenticatorAttachment: Type.Optional(Type.String({ maxLength: 32 })),
    transports: Type.Optional(Type.Array(Type.String({ maxLength: 32 }), { maxItems: 10 }))
  },
  { 'x-message': 'response must be the answer of the browser’s passkey prompt' }
);
export const AddPasskeyBody = Type.Object({
  response: WebAuthnResponse,
  name: Type.Optional(Type.String({ maxLength: 200, 'x-message': 'name must be at most 60 characters' })),
  password: PASSWORD
});
export type AddPasskeyBody = Static<typeof AddPasskeyBody>;
export const AddPasskeyResult = Type.Object({
  passkey: PasskeyInfo,
  /** Present when this passkey turned two-factor sign-in on: shown once. */
  recoveryCodes: Type.Optional(Type.Array(Type.String()))
});
export const PasskeyLoginBody = Type.Object({ response: WebAuthnResponse });
export type PasskeyLoginBody = Static<typeof PasskeyLoginBody>;
