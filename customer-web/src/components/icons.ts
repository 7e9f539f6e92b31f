/**
 * The site's icons as SVG path data (24 x 24, drawn with strokes): emoji would depend on the
 * phone's fonts, and some machines have none.
 */
export const ICONS = {
  scooter:
    'M5 17a2 2 0 1 0 4 0a2 2 0 1 0 -4 0M15 17a2 2 0 1 0 4 0a2 2 0 1 0 -4 0M9 17h6M17 17l-2-7h-3M15 10h3a2 2 0 0 1 2 2v3M6 15l1-5h4',
  bag: 'M6 8h12l-1 12H7zM9 8V6a3 3 0 0 1 6 0v2',
  lock: 'M6 11h12v9H6zM8.5 11V8a3.5 3.5 0 0 1 7 0v3',
  phone: 'M5 4h3l2 5-2.5 1.5a11 11 0 0 0 6 6L15 14l5 2v3a2 2 0 0 1-2 2A16 16 0 0 1 3 6a2 2 0 0 1 2-2',
  bell: 'M6 16V11a6 6 0 0 1 12 0v5l2 2H4zM10 20a2 2 0 0 0 4 0',
  clock: 'M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18M12 7v5l3 2',
  pencil: 'M4 20h4L19 9l-4-4L4 16zM13.5 6.5l4 4',
  trash: 'M4 7h16M9 7V4h6v3M6 7l1 13h10l1-13M10 11v6M14 11v6',
  check: 'M5 12.5l4.5 4.5L19 7.5',
  home: 'M4 11l8-7 8 7M6 9.5V20h12V9.5M10 20v-5h4v5',
  pizza: 'M12 21L3 6c6-3 12-3 18 0zM4.5 8.5c5-2 10-2 15 0M10 11h.01M14 12h.01M12 15h.01',
  cart: 'M3 4h2l2.5 11h10L20 8H6.5M9 20h.01M17 20h.01',
  arrow: 'M5 12h14M13 6l6 6-6 6',
  alert: 'M12 4L2.5 20h19zM12 10v4.5M12 17.5h.01',
  filter: 'M4 5h16l-6 7.5V19l-4 2v-8.5z',
} as const;

export type IconName = keyof typeof ICONS;
