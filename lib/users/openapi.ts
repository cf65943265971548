import type { OpenAPIRegistry } from "@asteasolutions/zod-to-openapi";
import { commonErrors, errorSchema, jsonContent } from "@/lib/api/openapi-common";
import { z } from "@/lib/api/zod";
import { createInviteSchema, createUserSchema, issuedLinkSchema, updateUserSchema, userSchema } from "./schema";

export function registerUserPaths(registry: OpenAPIRegistry): void {
  registry.registerPath({
    method: "get",
    path: "/api/v1/users",
    summary: "List users (admins).",
    tags: ["users"],
    responses: { 200: jsonContent(z.object({ users: z.array(userSchema) }), "All users."), ...commonErrors },
  });
  registry.registerPath({
    method: "post",
    path: "/api/v1/users",
    summary: "Create a user (admins).",
    tags: ["users"],
    request: { body: { content: { "application/json": { schema: createUserSchema } } } },
    responses: { 201: jsonContent(z.object({ user: userSchema }), "The new user."), ...commonErrors, 409: jsonContent(errorSchema, "`conflict:user_email`: a user with that email exists.") },
  });
  registry.registerPath({
    method: "patch",
    path: "/api/v1/users/{id}",
    summary: "Change a user's name, role, password, or disable/enable them (admins).",
    tags: ["users"],
    request: {
      params: z.object({ id: z.uuid() }),
      body: { content: { "application/json": { schema: updateUserSchema } } },
    },
    responses: { 200: jsonContent(z.object({ user: userSchema }), "The updated user."), ...commonErrors, 409: jsonContent(errorSchema, "`conflict:self_lockout`: an admin cannot disable themselves or take away their own admin role.") },
  });
  registry.registerPath({
    method: "post",
    path: "/api/v1/users/{id}/reset-link",
    summary: "A one-time password-reset link for a user, valid 24 hours; an earlier unused one stops working (admins).",
    tags: ["users"],
    request: { params: z.object({ id: z.uuid() }) },
    responses: { 201: jsonContent(z.object({ link: issuedLinkSchema }), "The link, shown once."), ...commonErrors, 409: jsonContent(errorSchema, "`conflict:user_disabled`: the user is disabled; enable them first.") },
  });
  registry.registerPath({
    method: "post",
    path: "/api/v1/invites",
    summary: "A one-time invite link for a new account, valid 7 days; the recipient sets their name and password (admins).",
    tags: ["users"],
    request: { body: { content: { "application/json": { schema: createInviteSchema } } } },
    responses: { 201: jsonContent(z.object({ link: issuedLinkSchema }), "The link, shown once."), ...commonErrors, 409: jsonContent(errorSchema, "`conflict:user_email`: a user with that email exists.") },
  });
  registry.registerPath({
    method: "get",
    path: "/api/v1/me",
    summary: "The caller.",
    tags: ["users"],
    responses: { 200: jsonContent(z.object({ user: userSchema }), "The signed-in user or token owner."), ...commonErrors },
  });
}
