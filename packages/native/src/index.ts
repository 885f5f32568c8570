// The only module that touches the compiled .node file (via the generated
// binding.js). Everything else imports from here.
import { NativeTokenizer, type NativeChatMessage, type PromptAnalysis } from '../binding.js';

export { NativeTokenizer, type NativeChatMessage, type PromptAnalysis };
export {
  NativeRouter,
  trainRouter,
  trainRouterAsync,
  crossValidateRouter,
  crossValidateRouterAsync,
  evaluateRouter,
  evaluateOracle,
  bootstrapEvaluation,
  calibrateThreshold,
  crossValidateOutputs,
  crossValidateOutputsAsync,
  crossValidateEnsemble,
  crossValidateEnsembleAsync,
  trainEnsemble,
  trainEnsembleAsync,
  sentenceVectors,
  sentenceVectorsAsync,
  NativeSemanticIndex,
  NativeTextPattern,
  type CrossValidatedOutputs,
  type TrainOptions,
  type RouterEvaluation,
  type RouterMetadata,
  type BootstrapIntervals,
  type DatasetPair,
} from '../binding.js';

const cache = new Map<string, NativeTokenizer>();

/**
 * Returns the tokenizer for `spec` (an encoding name or a tokenizer.json
 * path), loading it once per process. Throws with a readable message when
 * the encoding is unknown or the file cannot be read.
 */
export function loadTokenizer(spec: string): NativeTokenizer {
  let tokenizer = cache.get(spec);
  if (!tokenizer) {
    tokenizer = NativeTokenizer.load(spec);
    cache.set(spec, tokenizer);
  }
  return tokenizer;
}
