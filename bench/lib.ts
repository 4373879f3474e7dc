export { buildServer, ROOT, startServer, type RunningServer } from '../scripts/server-process.js';

/** Signs in a demo staff member and returns a bearer header. */
export async function staffBearer(
  baseUrl: string,
  login: string,
  password = 'Sanjog@2026',
): Promise<Record<string, string>> {
  const response = await fetch(`${baseUrl}/api/v1/auth/staff`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login, password, tokenDelivery: 'bearer' }),
  });
  const body = (await response.json()) as { token?: string };
  if (body.token === undefined) throw new Error(`sign-in of ${login} failed: ${JSON.stringify(body)}`);
  return { authorization: `Bearer ${body.token}` };
}

/** Prints the figures as a table, then as one JSON object on the last line. */
export function report(title: string, figures: Record<string, string | number>): void {
  console.log(`\n${title}`);
  const width = Math.max(...Object.keys(figures).map((k) => k.length));
  for (const [key, value] of Object.entries(figures)) console.log(`  ${key.padEnd(width)}  ${String(value)}`);
  console.log(JSON.stringify(figures));
}

export function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
