import { FallbackMessage, notFoundText } from "@/app/_components/fallback-message";

/** A record that does not exist (notFound() in a page), inside the app layout's main landmark. */
export default function NotFound() {
  return <FallbackMessage {...notFoundText} />;
}
