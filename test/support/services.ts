/**
 * Suites that need Redis or PostgreSQL read REDIS_URL / DATABASE_URL (set by .ci/run). Without the
 * variable they are marked pending, with a warning on stderr so the gap is visible in the run.
 */
export function requireService(context: Mocha.Context, variable: 'REDIS_URL' | 'DATABASE_URL'): string {
  const value = process.env[variable];
  if (!value) {
    console.warn(`\n  ⚠ SKIPPED "${context.test?.parent?.fullTitle()}": ${variable} is not set, so this suite did NOT run.\n`);
    context.skip();
  }
  return value!;
}
