"use client";

/**
 * POSTs `body` to `url` with XMLHttpRequest, not fetch: only it reports upload progress. Resolves
 * with the status and the JSON answer ({} when the answer is not JSON, a proxy's error page say);
 * rejects when the connection breaks.
 */
export function postWithProgress(url: string, body: XMLHttpRequestBodyInit, onProgress: (percent: number) => void): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(Math.round((e.loaded / e.total) * 100));
    xhr.onload = () => {
      let parsed: unknown = {};
      try {
        parsed = JSON.parse(xhr.responseText || "{}");
      } catch {
        // not JSON: the status says enough
      }
      resolve({ status: xhr.status, body: parsed });
    };
    xhr.onerror = () => reject(new Error("The upload was interrupted."));
    onProgress(0);
    xhr.send(body);
  });
}

/** The error message of one of our API's refusals, else `fallback`. */
export function apiErrorMessage(body: unknown, fallback: string): string {
  const message = (body as { error?: { message?: unknown } } | null)?.error?.message;
  return typeof message === "string" && message ? message : fallback;
}

export function UploadProgress({ percent }: { percent: number }) {
  return (
    <div role="progressbar" aria-label="Upload progress" aria-valuenow={percent} aria-valuemin={0} aria-valuemax={100} className="h-2 overflow-hidden rounded bg-slate-200">
      <div className="h-full bg-slate-900" style={{ width: `${percent}%` }} />
    </div>
  );
}
