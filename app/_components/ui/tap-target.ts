/**
 * Makes a link at least 44 px tall on a touch screen (a coarse pointer), the size WCAG 2.5.5 asks of
 * a target, without changing it where a mouse is used. Buttons and form controls have it built in.
 */
export const tapTarget = "pointer-coarse:inline-flex pointer-coarse:min-h-11 pointer-coarse:items-center";
