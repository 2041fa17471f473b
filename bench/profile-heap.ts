// Preloaded into bench/apps.ts by bench/profile.ts (PROF_MODE=heap): V8's sampling heap profiler,
// started and stopped over IPC, counting objects the GC has since collected too, so that the
// profile is every byte allocated, by stack.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const session = new Session();
session.connect();
process.on('message', (m: { type?: string; file?: string }) => {
  if (m.type === 'heap-start') {
    session.post(
      'HeapProfiler.startSampling',
      { samplingInterval: 256, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true } as object,
      () => process.send?.({ heap: 'started' }),
    );
  }
  if (m.type === 'heap-stop') {
    session.post('HeapProfiler.stopSampling', (err, r) => {
      if (err === null) writeFileSync(m.file!, JSON.stringify(r.profile));
      process.send?.({ heap: 'written' });
    });
  }
});
