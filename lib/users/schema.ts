import { accountLinkKindValues, roleValues } from "@/db/values";
import { z } from "@/lib/api/zod";

const roleSchema = z.enum(roleValues).openapi({ description: "What the user may do." });

const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email({ message: "Enter a valid email address." }));

const passwordSchema = z
  .string()
  .min(10, "Passwords need at least 10 characters.")
  .max(256, "Passwords are at most 256 characters.");

export const createUserSchema = z
  .object({
    email: emailSchema,
    name: z.string().trim().max(200).default(""),
    role: roleSchema.default("labeler"),
    password: passwordSchema,
  })
  .strict()
  .openapi("CreateUser");
export type CreateUserInput = z.input<typeof createUserSchema>;

export const updateUserSchema = z
  .object({
    name: z.string().trim().max(200).optional(),
    role: roleSchema.optional(),
    disabled: z.boolean().optional().openapi({ description: "true disables sign-in and ends existing sessions." }),
    password: passwordSchema.optional(),
  })
  .strict()
  .refine((v) => Object.keys(v).length > 0, "Nothing to update.")
  .openapi("UpdateUser");
export type UpdateUserInput = z.infer<typeof updateUserSchema>;

export const userSchema = z
  .object({
    id: z.uuid(),
    email: z.string(),
    name: z.string(),
    role: roleSchema,
    disabled: z.boolean(),
    createdAt: z.string().openapi({ format: "date-time" }),
  })
  .openapi("User");
export type UserDto = z.infer<typeof userSchema>;

export const credentialsSchema = z.object({
  email: emailSchema,
  password: z.string().min(1, "Enter your password.").max(256),
});

/** An admin's invite: who, and with which role. */
export const createInviteSchema = z
  .object({
    email: emailSchema,
    role: roleSchema.default("labeler"),
  })
  .strict();
export type CreateInviteInput = z.input<typeof createInviteSchema>;

/** A one-time link as the API hands it to an admin: shown once, never stored in the clear. */
export const issuedLinkSchema = z
  .object({
    kind: z.enum(accountLinkKindValues),
    email: z.string(),
    path: z.string().openapi({ description: "The page the recipient opens, e.g. /invite/<token>." }),
    url: z.string().openapi({ description: "path on NEXTAUTH_URL, or on the origin the request came to when that is unset." }),
    expiresAt: z.string(),
  })
  .openapi("IssuedLink");
export type IssuedLinkDto = z.infer<typeof issuedLinkSchema>;

/** A new password typed twice, as the invite and reset pages ask for it. */
const newPasswordFields = {
  password: passwordSchema,
  confirmPassword: z.string().max(256),
};
const passwordsMatch = (v: { password: string; confirmPassword: string }) => v.password === v.confirmPassword;
const mismatch = { message: "The two passwords differ.", path: ["confirmPassword"] };

export const acceptInviteSchema = z
  .object({ name: z.string().trim().min(1, "Enter your name.").max(200), ...newPasswordFields })
  .refine(passwordsMatch, mismatch);
export type AcceptInviteInput = z.input<typeof acceptInviteSchema>;

export const resetPasswordSchema = z.object(newPasswordFields).refine(passwordsMatch, mismatch);
export type ResetPasswordInput = z.input<typeof resetPasswordSchema>;
