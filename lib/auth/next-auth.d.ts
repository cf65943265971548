import type { DefaultSession } from "next-auth";
import type { Role } from "@/db/values";

declare module "next-auth" {
  interface User {
    role?: Role;
  }
  interface Session {
    user: DefaultSession["user"] & { id: string; role: Role; signedInAt?: number };
  }
}

declare module "next-auth/jwt" {
  interface JWT {
    uid?: string;
    role?: Role;
    /** When this session signed in (ms since the epoch); kept across token refreshes, unlike iat. */
    signedInAt?: number;
  }
}
