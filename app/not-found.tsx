import { FallbackMessage, notFoundText } from "@/app/_components/fallback-message";

/** An address that matches no page: outside the app's layout, so it brings its own main landmark. */
export default function NotFound() {
  return (
    <main>
      <FallbackMessage {...notFoundText} />
    </main>
  );
}
