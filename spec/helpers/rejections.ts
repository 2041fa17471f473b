// The unhandled rejections seen during each test of the calling describe (in production one
// ends the Node process): registered before each test, emptied, and removed after it.
export function unhandledRejections(): unknown[] {
  const seen: unknown[] = [];
  const record = (reason: unknown) => void seen.push(reason);
  beforeEach(() => {
    seen.length = 0;
    process.on('unhandledRejection', record);
  });
  afterEach(() => void process.off('unhandledRejection', record));
  return seen;
}
