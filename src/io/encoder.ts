import { OmniError } from '../errors.js';
import type { OutputPlan } from './output.js';
import type { ByteSink } from './sinks.js';

/** Open a sink that encodes raw PCM through FFmpeg into `plan.type`. */
export async function openEncoderSink(plan: OutputPlan): Promise<ByteSink> {
  throw new OmniError('ENCODER_MISSING', `cannot write ${plan.type}: encoding through FFmpeg is not built yet`);
}
