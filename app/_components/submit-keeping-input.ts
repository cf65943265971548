import { type FormEvent, type RefObject, startTransition, useEffect, useRef } from "react";

/**
 * Submits a form to a useActionState action without the reset React applies to a form whose
 * `action` prop ran: a refused submission keeps what the person typed (a campaign's guidelines,
 * a snapshot's campaign choices) so they can correct it instead of starting over.
 *
 * Give the form `action={action}` as well: a form sent before the page's script has run is sent by the browser
 * itself, and with the action it is posted to the server action and answered with the page rendered from its
 * result (React's progressive enhancement), where without one it went out as a GET that put its fields in the
 * URL and did nothing: a refusal comes back with the fields as sent (useSentBack), a success is redirected to a page
 * that shows it (lib/forms/form-action.ts). Once the script runs, this handler prevents that and sends the form itself, so React's
 * reset of a form whose action ran does not apply.
 */
export function submitKeepingInput(action: (form: FormData) => void) {
  return (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    startTransition(() => action(form));
  };
}

/**
 * For a form submitted with submitKeepingInput that makes a new thing each time (a user, an
 * invite, a token): a ref to put on the form, which is cleared once the action succeeds, as
 * React would have cleared it, so the next one starts empty.
 */
export function useClearedOnSuccess(state: { ok: boolean } | null): RefObject<HTMLFormElement | null> {
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (state?.ok) form.current?.reset();
  }, [state]);
  return form;
}
