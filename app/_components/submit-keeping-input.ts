import { type FormEvent, startTransition } from "react";

/**
 * Submits a form to a useActionState action without the reset React applies to a form whose
 * `action` prop ran: a refused submission keeps what the person typed (a campaign's guidelines,
 * a snapshot's campaign choices) so they can correct it instead of starting over.
 */
export function submitKeepingInput(action: (form: FormData) => void) {
  return (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    startTransition(() => action(form));
  };
}
