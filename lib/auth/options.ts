import "server-only";
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import GitHubProvider from "next-auth/providers/github";
import { env } from "@/lib/env";
import { logger } from "@/lib/logger";
import { credentialsSchema } from "@/lib/users/schema";
import { findUserByEmail } from "@/lib/users/users";
import { verifyPassword } from "./password";
import { clearSigninFailures, recordSigninFailure, signinBlockedFor } from "./rate-limit";
import { ACCOUNT_DISABLED_MESSAGE } from "./signin-page";

const INVALID = "Wrong email or password.";

function clientIp(headers: Record<string, unknown> | undefined): string {
  const forwarded = headers?.["x-forwarded-for"];
  const first = typeof forwarded === "string" ? forwarded.split(",")[0]?.trim() : undefined;
  const real = headers?.["x-real-ip"];
  return first || (typeof real === "string" ? real : "") || "unknown";
}

const credentials = CredentialsProvider({
  name: "Email and password",
  credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
  async authorize(raw, req) {
    const parsed = credentialsSchema.safeParse(raw);
    if (!parsed.success) throw new Error(INVALID);
    const { email, password } = parsed.data;
    const ip = clientIp(req?.headers);

    const blocked = await signinBlockedFor({ email, ip });
    if (blocked) {
      logger.warn({ event: "signin.rate_limited", email, ip }, "sign-in rate limited");
      throw new Error(blocked);
    }
    const user = await findUserByEmail({ email });
    const ok = user?.passwordHash ? await verifyPassword(user.passwordHash, password) : false;
    if (!user || !ok) {
      await recordSigninFailure({ email, ip });
      logger.info({ event: "signin.failed", email, ip }, "sign-in failed");
      throw new Error(INVALID);
    }
    if (user.disabledAt) {
      logger.info({ event: "signin.disabled", userId: user.id }, "disabled user tried to sign in");
      throw new Error(ACCOUNT_DISABLED_MESSAGE);
    }
    await clearSigninFailures({ email });
    logger.info({ event: "signin.ok", userId: user.id }, "signed in");
    return { id: user.id, email: user.email, name: user.name, role: user.role };
  },
});

const providers: NextAuthOptions["providers"] = [credentials];
if (env.GITHUB_ID && env.GITHUB_SECRET) {
  providers.push(GitHubProvider({ clientId: env.GITHUB_ID, clientSecret: env.GITHUB_SECRET }));
}

export const githubEnabled = providers.length > 1;

export const authOptions: NextAuthOptions = {
  providers,
  secret: env.NEXTAUTH_SECRET,
  session: { strategy: "jwt", maxAge: 7 * 24 * 3600 },
  // next-auth's cookies are httpOnly and SameSite=Lax; over https they are also Secure and
  // take the __Secure-/__Host- prefixes. Said here rather than left to next-auth's guess
  // from process.env (lib/auth/cookies.test.ts checks both).
  useSecureCookies: env.NEXTAUTH_URL?.startsWith("https://") ?? false,
  pages: { signIn: "/signin", error: "/signin" },
  logger: {
    error: (code, metadata) => logger.error({ code, err: metadata instanceof Error ? metadata.message : undefined }, "next-auth error"),
    warn: (code) => logger.warn({ code }, "next-auth warning"),
    debug: () => {},
  },
  callbacks: {
    // OAuth sign-in is only for people an admin has already added, and who are not disabled.
    async signIn({ user, account }) {
      if (account?.provider === "credentials") return true;
      const known = user.email ? await findUserByEmail({ email: user.email }) : undefined;
      return Boolean(known && !known.disabledAt);
    },
    async jwt({ token, user, account }) {
      if (user) token.signedInAt = Date.now();
      if (user && account?.provider === "credentials") {
        token.uid = user.id;
        token.role = user.role;
      } else if (user?.email) {
        const known = await findUserByEmail({ email: user.email });
        if (known) {
          token.uid = known.id;
          token.role = known.role;
        }
      }
      return token;
    },
    async session({ session, token }) {
      if (session.user && token.uid) {
        session.user.id = token.uid;
        session.user.role = token.role!;
        session.user.signedInAt = token.signedInAt;
      }
      return session;
    },
  },
};
