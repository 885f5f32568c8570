import type { AnsweredRequest, RouteSampler, SampleOutcome } from '../table/route.js';
import type { Random } from '../table/strategy.js';
import { buildRecord, type RecordSettings } from './record.js';
import type { SampleSink } from './sink.js';

/**
 * Draws each answered request with the request's random source (tests seed
 * it): a share `rate` of them become records in the sink. Building a record
 * reads the prompt the routing already extracted; the sink writes later.
 */
export class Sampler implements RouteSampler {
  constructor(
    private readonly rate: number,
    private readonly settings: RecordSettings,
    private readonly sink: SampleSink,
    private readonly now: () => Date = () => new Date(),
  ) {}

  answered(request: AnsweredRequest, random: Random, done: (outcome: SampleOutcome) => void): void {
    if (this.rate <= 0) return;
    if (this.rate < 1 && random() >= this.rate) return;
    let line: string;
    try {
      line = JSON.stringify(buildRecord(request, this.settings, this.now()));
    } catch {
      done('failed');
      return;
    }
    this.sink.write(line, done);
  }
}
