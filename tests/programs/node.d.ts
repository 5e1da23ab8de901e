// The little of node's API the test programs use, declared here: the pinned tools
// (tests/tools) hold the compilers only, no `@types/node`.
declare module "node:fs" {
  export function readFileSync(path: string, encoding: "utf8"): string;
}

declare const process: { readonly argv: readonly string[] };
