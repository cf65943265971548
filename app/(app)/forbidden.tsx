import { FallbackMessage, forbiddenText } from "@/app/_components/fallback-message";

/** A page the role may not open (requireRole), inside the app layout's main landmark. */
export default function Forbidden() {
  return <FallbackMessage {...forbiddenText} />;
}
