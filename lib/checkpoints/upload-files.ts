/**
 * Which of the files a researcher picked the checkpoint import sends: the three it reads, and from
 * a picked folder only its top level (a trainer's output folder also holds checkpoint-N/ with
 * optimizer states larger than the model). Client-safe: the import form uses it.
 */

/** What POST /api/v1/checkpoints reads (trainer/hf-import.ts importFileNames). */
export const checkpointUploadFiles = ["model.safetensors", "config.json", "tokenizer.json"];

export function checkpointFilesToSend(picked: File[]): File[] {
  return picked.filter((f) => {
    // A folder pick names each file "folder/…/name"; a plain pick leaves it empty.
    const depth = (f.webkitRelativePath || f.name).split("/").length;
    return checkpointUploadFiles.includes(f.name) && depth <= 2;
  });
}
