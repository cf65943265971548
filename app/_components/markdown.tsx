import { createElement } from "react";
import ReactMarkdown, { type Components } from "react-markdown";
import remarkGfm from "remark-gfm";
import { cn } from "./ui/cn";

/**
 * Each block takes its direction from its own first letter (`dir="auto"`), so a paragraph in Arabic
 * or Hebrew reads right to left with its closing period and brackets in place, next to one in
 * English; code blocks keep the page's left to right.
 */
const autoDirection: Components = Object.fromEntries(
  (["p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "th", "td"] as const).map((tag) => [
    tag,
    // `node` is react-markdown's syntax tree node, not an attribute.
    ({ node: _node, ...props }: { node?: unknown }) => createElement(tag, { ...props, dir: "auto" }),
  ]),
);

/**
 * Renders untrusted markdown (prompts, responses, guidelines). Raw HTML is not rendered
 * (react-markdown escapes it without rehype-raw) and unsafe URLs are dropped by its
 * default urlTransform, so nothing a labeler sees can execute. A code block or a table wider than
 * the box scrolls inside it, so a response never makes a phone's page scroll sideways. A link is a
 * fingertip's height on a touch screen (padding above and below it, so the lines do not move).
 */
export function Markdown({ children, className }: { children: string; className?: string }) {
  return (
    <div
      className={cn(
        "space-y-2 break-words text-sm leading-relaxed [&_code]:rounded [&_code]:bg-slate-100 [&_code]:px-1 [&_ol]:list-decimal [&_ol]:pl-5 [&_pre]:overflow-x-auto [&_pre]:rounded-md [&_pre]:bg-slate-900 [&_pre]:p-3 [&_pre]:text-slate-100 [&_pre_code]:bg-transparent [&_pre_code]:p-0 [&_ul]:list-disc [&_ul]:pl-5 [&_a]:underline pointer-coarse:[&_a]:relative pointer-coarse:[&_a]:py-4 [&_h1]:text-lg [&_h1]:font-semibold [&_h2]:font-semibold [&_table]:block [&_table]:max-w-full [&_table]:overflow-x-auto [&_table]:border-collapse [&_td]:border [&_td]:px-2 [&_th]:border [&_th]:px-2",
        className,
      )}
    >
      <ReactMarkdown remarkPlugins={[remarkGfm]} components={autoDirection}>
        {children}
      </ReactMarkdown>
    </div>
  );
}
