// The link record both backends produce is the text path's (src/parsers/ip-link-json.ts).
export type { LinkRecord } from '../ip-link-json.js';
