export * from './common.ts';
export * from './users.ts';
export * from './boards.ts';
export * from './threads.ts';
export * from './posts.ts';
export * from './equipment.ts';
export * from './profiles.ts';
export * from './notifications.ts';
