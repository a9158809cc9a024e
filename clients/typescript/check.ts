// Compiled by the test command (scripts/test, `npm run types:check`) against
// the types `npm run types` generates from openapi/openapi.yaml into
// parceria.d.ts (not committed): a front end's first uses of them, so a change
// of the document that breaks them breaks the build.
import type { components, operations, paths } from "./parceria";

type Schemas = components["schemas"];
export type ChangeEvent = Schemas["ChangeEvent"];
export type ChangePage =
  paths["/v1/changes"]["get"]["responses"][200]["content"]["application/json"];
export type ChangeQuery = NonNullable<operations["listChanges"]["parameters"]["query"]>;
export type Problem = Schemas["Problem"];
export type VoucherCsv = paths["/v1/vouchers"]["get"]["responses"][200]["content"]["text/csv"];

export const page: ChangePage = {
  items: [
    {
      id: "0d3f8a36-4a5b-4c1e-9e1f-5b2c7d8e9f01",
      type: "voucher.redeemed",
      resource_type: "voucher",
      resource_id: "7KQ4M9TXC3HR26",
      action: "redeem",
      from_status: "issued",
      to_status: "redeemed",
      registrar_id: null,
      occurred_at: "2026-10-14T09:00:00Z",
    },
  ],
  next_cursor: "WzAsIjEwNDIiLCIzMTciXQ",
};

export const query: ChangeQuery = { after: page.next_cursor, limit: 50 };

// @ts-expect-error next_cursor is required: a client always has one to poll with
export const incomplete: ChangePage = { items: [] };

export const csv: VoucherCsv = "code,program,status\r\n";

/** The event types seen on a page, in order. */
export function eventTypes(p: ChangePage): string[] {
  return p.items.map((e: ChangeEvent) => e.type);
}

/** A problem's one-line summary, as a UI would show it. */
export function describe(p: Problem): string {
  return `${p.status} ${p.title}${p.detail ? `: ${p.detail}` : ""}`;
}
