import { Injectable } from '@nestjs/common';

/** A dependency check: true when ready, otherwise a short reason. */
export type ReadinessCheck = () => Promise<true | string>;

const CHECK_TIMEOUT_MS = 2_000;

/** Collects the checks of whichever roles run in this process, for /health/ready. */
@Injectable()
export class ReadinessRegistry {
  private readonly checks = new Map<string, ReadinessCheck>();

  register(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  async evaluate(): Promise<{
    ready: boolean;
    checks: Record<string, { status: 'up' | 'down'; reason?: string }>;
  }> {
    const entries = await Promise.all(
      [...this.checks].map(async ([name, check]) => {
        const outcome = await runWithTimeout(check);
        return [
          name,
          outcome === true ? { status: 'up' as const } : { status: 'down' as const, reason: outcome },
        ] as const;
      }),
    );
    return {
      ready: entries.every(([, result]) => result.status === 'up'),
      checks: Object.fromEntries(entries),
    };
  }
}

async function runWithTimeout(check: ReadinessCheck): Promise<true | string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${CHECK_TIMEOUT_MS} ms`), CHECK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([check().catch((error: Error) => error.message), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
