export async function runTopCommand(_argv: readonly string[], _version: string): Promise<number> {
  return Promise.resolve(2);
}
