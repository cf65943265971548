"use client";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { Badge } from "@/app/_components/ui/badge";
import { Button } from "@/app/_components/ui/button";
import { NativeSelect } from "@/app/_components/ui/input";
import { Table, TBody, Td, Th, THead, Tr } from "@/app/_components/ui/table";
import { ValueOptions } from "@/app/_components/ui/value-options";
import { roleValues } from "@/db/values";
import type { UserDto } from "@/lib/users/schema";
import { createResetLinkAction, updateUserAction, type IssuedLink } from "./actions";
import { IssuedLinkBox } from "./issued-link";

/** A change that can lock someone out, waiting for the admin to confirm it: a new role, or disabling. */
type Confirming = { user: UserDto; patch: { role: UserDto["role"] } | { disabled: true } };

export function UsersTable({ users, selfId }: { users: UserDto[]; selfId: string }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const [resetLink, setResetLink] = useState<IssuedLink | null>(null);
  const [confirming, setConfirming] = useState<Confirming | null>(null);

  function change(userId: string, patch: Record<string, unknown>) {
    startTransition(async () => {
      const result = await updateUserAction(userId, patch);
      setError(result.ok ? null : result.error);
      setConfirming(null);
      router.refresh();
    });
  }

  function makeResetLink(userId: string) {
    startTransition(async () => {
      const result = await createResetLinkAction(userId);
      setError(result.ok ? null : result.error);
      setResetLink(result.ok ? result.data : null);
      router.refresh();
    });
  }

  return (
    <>
      {error ? (
        <p role="alert" className="mb-3 text-sm text-red-700">
          {error}
        </p>
      ) : null}
      {resetLink ? (
        <div className="mb-3">
          <IssuedLinkBox key={resetLink.path} link={resetLink} label="Password reset link" />
        </div>
      ) : null}
      <Table>
        <THead>
          <Tr>
            <Th>Email</Th>
            <Th>Name</Th>
            <Th>Role</Th>
            <Th>Status</Th>
            <Th />
          </Tr>
        </THead>
        <TBody>
          {users.map((u) => {
            const asked = confirming?.user.id === u.id ? confirming : null;
            return (
              <Tr key={u.id} data-testid={`user-row-${u.email}`}>
                <Td>{u.email}</Td>
                <Td>{u.name}</Td>
                <Td>
                  <NativeSelect
                    aria-label={`Role of ${u.email}`}
                    value={asked && "role" in asked.patch ? asked.patch.role : u.role}
                    disabled={pending || asked !== null || u.id === selfId}
                    onChange={(e) => setConfirming({ user: u, patch: { role: e.target.value as UserDto["role"] } })}
                  >
                    <ValueOptions values={roleValues} />
                  </NativeSelect>
                </Td>
                <Td>{u.disabled ? <Badge variant="danger">disabled</Badge> : <Badge variant="success">active</Badge>}</Td>
                <Td>
                  {asked ? (
                    <ConfirmChange asked={asked} pending={pending} onConfirm={() => change(u.id, asked.patch)} onKeep={() => setConfirming(null)} />
                  ) : (
                    <div className="flex justify-end gap-2">
                      {u.disabled ? null : (
                        <Button variant="outline" size="sm" disabled={pending} aria-label={`Reset link for ${u.email}`} onClick={() => makeResetLink(u.id)}>
                          Reset link
                        </Button>
                      )}
                      {u.id === selfId ? null : (
                        <Button
                          variant={u.disabled ? "outline" : "destructive"}
                          size="sm"
                          disabled={pending}
                          aria-label={`${u.disabled ? "Enable" : "Disable"} ${u.email}`}
                          onClick={() => (u.disabled ? change(u.id, { disabled: false }) : setConfirming({ user: u, patch: { disabled: true } }))}
                        >
                          {u.disabled ? "Enable" : "Disable"}
                        </Button>
                      )}
                    </div>
                  )}
                </Td>
              </Tr>
            );
          })}
        </TBody>
      </Table>
    </>
  );
}

/**
 * Asks once more before a role change or a disable (either can lock a colleague out at their
 * next click), naming the user and the change; "Keep" is focused, so Enter after a misclick undoes it.
 */
function ConfirmChange({ asked, pending, onConfirm, onKeep }: { asked: Confirming; pending: boolean; onConfirm: () => void; onKeep: () => void }) {
  const { user, patch } = asked;
  const [question, confirm, keep] =
    "role" in patch
      ? [`Change ${user.email} from ${user.role} to ${patch.role}? It takes effect at their next click.`, `Yes, make them ${patch.role}`, `Keep ${user.role}`]
      : [`Disable ${user.email}? They are signed out at their next click and cannot sign in until enabled.`, "Yes, disable", "Keep active"];
  return (
    <div role="group" aria-label={`Confirm change to ${user.email}`} className="flex flex-wrap items-center justify-end gap-2 text-sm">
      <span>{question}</span>
      <Button variant="destructive" size="sm" disabled={pending} onClick={onConfirm}>
        {confirm}
      </Button>
      {/* The button that opened this is gone: focus lands on the safe choice. */}
      <Button variant="outline" size="sm" disabled={pending} onClick={onKeep} autoFocus>
        {keep}
      </Button>
    </div>
  );
}
