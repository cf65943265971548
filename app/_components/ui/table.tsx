import type { ComponentProps } from "react";
import { cn } from "./cn";

export function Table({ className, ...props }: ComponentProps<"table">) {
  return (
    <div className="w-full overflow-x-auto">
      <table className={cn("w-full caption-bottom text-sm", className)} {...props} />
    </div>
  );
}
export const THead = (props: ComponentProps<"thead">) => <thead className="border-b border-slate-200" {...props} />;
export const TBody = (props: ComponentProps<"tbody">) => <tbody className="[&_tr:last-child]:border-0" {...props} />;
export const Tr = ({ className, ...props }: ComponentProps<"tr">) => <tr className={cn("border-b border-slate-100", className)} {...props} />;
export const Th = ({ className, ...props }: ComponentProps<"th">) => (
  <th className={cn("h-9 px-2 text-left align-middle font-medium text-slate-500", className)} {...props} />
);
export const Td = ({ className, ...props }: ComponentProps<"td">) => <td className={cn("p-2 align-middle", className)} {...props} />;
