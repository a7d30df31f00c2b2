import { ClassifyStage } from './classify-stage.js';
import { EmitStage } from './emit-stage.js';
import { Pipeline } from './pipeline.js';
import type { TraceSink } from './trace-sink.js';
import { TranslateStage, type PacketTranslator } from './translate-stage.js';

/** The stateless SIIT path: classify → translate → emit. */
export function createSiitPipeline(translator: PacketTranslator, trace: TraceSink | null = null): Pipeline {
  return new Pipeline([new ClassifyStage(), new TranslateStage(translator), new EmitStage()], trace);
}
