"use client";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { Button } from "@/app/_components/ui/button";
import { Table, TBody, Td, Th, THead, Tr } from "@/app/_components/ui/table";
import type { AccountLinkKind } from "@/db/values";
import { revokeLinkAction } from "./actions";

export type PendingLinkRow = { id: string; kind: AccountLinkKind; email: string; role: string | null; createdBy: string | null; expiresAt: string };

export function PendingLinks({ links }: { links: PendingLinkRow[] }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);

  if (links.length === 0) return <p className="text-sm text-slate-600">No invite or reset link is waiting to be used.</p>;
  return (
    <>
      {error ? (
        <p role="alert" className="mb-3 text-sm text-red-700">
          {error}
        </p>
      ) : null}
      <Table>
        <THead>
          <Tr>
            <Th>Kind</Th>
            <Th>Email</Th>
            <Th>Role</Th>
            <Th>Made by</Th>
            <Th>Expires (UTC)</Th>
            <Th />
          </Tr>
        </THead>
        <TBody>
          {links.map((l) => {
            const what = l.kind === "invite" ? "invite" : "reset link";
            return (
              <Tr key={l.id} data-testid={`pending-link-${l.email}`}>
                <Td>{what}</Td>
                <Td>{l.email}</Td>
                <Td>{l.role ?? ""}</Td>
                <Td>{l.createdBy ?? ""}</Td>
                <Td className="whitespace-nowrap">{l.expiresAt.replace("T", " ").slice(0, 16)}</Td>
                <Td className="text-right">
                  <Button
                    variant="outline"
                    size="sm"
                    disabled={pending}
                    aria-label={`Revoke ${what} for ${l.email}`}
                    onClick={() =>
                      startTransition(async () => {
                        const result = await revokeLinkAction(l.id);
                        setError(result.ok ? null : result.error);
                        router.refresh();
                      })
                    }
                  >
                    Revoke
                  </Button>
                </Td>
              </Tr>
            );
          })}
        </TBody>
      </Table>
    </>
  );
}
