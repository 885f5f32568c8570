/** Waits out the last seconds of a UTC minute so that a test's requests share one limit window. */
export async function inOneMinuteWindow(): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < 5000) await new Promise((r) => setTimeout(r, left + 50));
}
