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
    }
  }
}

export {};
