/**
 * Reads one counter or gauge of a running Logyard from its `GET /metrics`
 * page: the sum over the label sets whose text contains `labels`. For
 * callers outside the process (tests, the bench) that watch its progress.
 */
export async function metricValue(baseUrl: string, name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(name) && (line[name.length] === ' ' || line[name.length] === '{'))
    .filter((line) => line.includes(labels))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}
