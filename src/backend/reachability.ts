/**
 * Whether the CalDAV server answers HTTP at `serverUrl`: an unauthenticated OPTIONS, for the
 * readiness probe. Any answer counts, 401 included (the server is there; whether a user may log in
 * is each request's business). Rejects when the connection fails or `signal` aborts.
 *
 * It uses its own connection (global fetch), not the pool: a pool busy with users' requests must not
 * make a live server look dead and take every replica out of the load balancer at once.
 */
export async function caldavAnswers(serverUrl: string, signal: AbortSignal, fetchImpl: typeof fetch = globalThis.fetch): Promise<void> {
  const response = await fetchImpl(serverUrl, { method: 'OPTIONS', signal, redirect: 'manual' });
  await response.body?.cancel();
}
