/**
 * Makes a link at least 44 x 44 px on a touch screen (a coarse pointer), the size WCAG 2.5.5 asks of
 * a target, without changing it where a mouse is used. Buttons and form controls have it built in.
 * For a link that stands on its own: a table cell's, a list's, a panel's.
 */
export const tapTarget = "pointer-coarse:inline-flex pointer-coarse:min-h-11 pointer-coarse:min-w-11 pointer-coarse:items-center pointer-coarse:justify-center";

/**
 * The same for a link in running text, whose line must keep its height and wrap as it did: padding
 * above and below an inline box moves no line, yet a tap on it hits the link (16 + 16 px around a
 * line of 12-14 px text). Positioned, so it is painted, and hit, above the text and fields after it
 * that its padding reaches into. Its words should be wider than 44 px ("the Runs page", not "Runs"),
 * and it should be the only link within a line of the next: their paddings would overlap.
 */
export const inlineTapTarget = "pointer-coarse:relative pointer-coarse:py-4";

/** A label that wraps its checkbox or radio: the whole row is the target, 44 px tall on a touch screen. */
export const choiceLabel = "flex items-center gap-2 pointer-coarse:min-h-11";
