/**
 * Line icons of the shell, drawn for Sanjog (24 × 24 paths, stroked with the text colour).
 * A page's own icons live with the page, so that they travel in its chunk, not the first load.
 */
export const phone = 'M7 2h10v20H7zM11 18h2';
export const worker = 'M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zM12 7.5v9M7.5 12h9';
export const globe = 'M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zM3 12h18M12 3a14 14 0 0 1 0 18M12 3a14 14 0 0 0 0 18';
export const alert = 'M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zM12 7.5v5.5M12 16.5h.01';
export const signOut = 'M9 4H5v16h4M14 8l4 4-4 4M18 12H9';
export const message = 'M4 4h16v12H9l-5 4z';
export const check = 'M4.5 12.5l5 5L20 7';
export const arrow = 'M5 12h14M13 6l6 6-6 6';
