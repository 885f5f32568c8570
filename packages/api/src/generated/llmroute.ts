/* Generated from schema/llmroute.v1alpha1.json by scripts/generate-types.js. Do not edit. */

/**
 * An LLMRoute maps the model names clients ask for to a set of backend models and the strategy that picks one per request.
 */
export interface LLMRoute {
  /**
   * Always switchboard.dev/v1alpha1.
   */
  apiVersion: 'switchboard.dev/v1alpha1';
  /**
   * Always LLMRoute.
   */
  kind: 'LLMRoute';
  metadata: ObjectMeta;
  spec: LLMRouteSpec;
  status?: LLMRouteStatus;
}
/**
 * Kubernetes object metadata. Only name is required.
 */
export interface ObjectMeta {
  /**
   * Route name (a DNS label): lowercase letters, digits and '-'.
   */
  name: string;
  /**
   * Namespace of the route; "default" when omitted in standalone mode.
   */
  namespace?: string;
  /**
   * Kubernetes labels; not used by the gateway.
   */
  labels?: {
    [k: string]: string;
  };
  /**
   * Kubernetes annotations; not used by the gateway.
   */
  annotations?: {
    [k: string]: string;
  };
  [k: string]: unknown;
}
/**
 * The route: model names, backends, routing strategy and timeouts.
 */
export interface LLMRouteSpec {
  /**
   * Values of the request's "model" field that this route serves. Defaults to [metadata.name]. A model name may belong to one route only.
   *
   * @minItems 1
   * @maxItems 32
   */
  modelNames?: string[];
  /**
   * The models this route can send a request to. Names must be unique within the route.
   *
   * @minItems 1
   * @maxItems 32
   */
  backends: Backend[];
  routing?: Routing;
  resilience?: Resilience;
  limits?: RouteLimits;
  sampling?: Sampling;
}
export interface Backend {
  /**
   * Backend name, unique within the route; shown in the x-switchboard-backend header and in metrics.
   */
  name: string;
  /**
   * Wire protocol of the backend. openai: api.openai.com; openai-compatible: vLLM, SGLang, TGI, Ollama, Together, Groq, Mistral and other servers speaking the OpenAI HTTP API; nim: NVIDIA NIM (OpenAI-compatible, with NIM's readiness endpoint for health checks); azure-openai: Azure OpenAI (deployment URLs, api-version, api-key header; `model` is the deployment name); anthropic: the Anthropic Messages API (chat completions are translated both ways, streaming and tools included). triton: NVIDIA Triton (TensorRT-LLM) over its HTTP generate extension (/v2/models/{model}/generate and generate_stream), endpoint http://host:8000, `model` the Triton model name; chat messages are rendered to text with chatTemplate. With endpoint grpc://host:8001 (or grpcs://) it speaks the KServe v2 / Triton gRPC protocol instead (inference.GRPCInferenceService: ModelMetadata/ModelConfig to learn the tensors, ModelInfer, and ModelStreamInfer for streaming and decoupled models).
   */
  provider: 'openai' | 'openai-compatible' | 'nim' | 'azure-openai' | 'anthropic' | 'triton';
  /**
   * Base URL (or use serviceRef; exactly one of the two). OpenAI-style providers include the version path (https://api.openai.com/v1, http://vllm.models.svc:8000/v1) and request paths (/chat/completions, ...) are appended; azure-openai takes the resource URL (https://NAME.openai.azure.com); anthropic takes https://api.anthropic.com/v1; triton takes http://host:8000 (HTTP generate) or grpc://host:8001 / grpcs://host:8001 (KServe v2 gRPC).
   */
  endpoint?: string;
  /**
   * A Kubernetes Service serving the backend, in place of endpoint: resolves to <scheme>://<name>.<namespace>.svc:<port><path>. The namespace defaults to the route's.
   */
  serviceRef?: {
    /**
     * Service name.
     */
    name: string;
    /**
     * Service namespace; the route's when omitted.
     */
    namespace?: string;
    /**
     * Service port.
     */
    port: number;
    /**
     * http (default), https, or grpc/grpcs for provider triton over KServe v2 gRPC.
     */
    scheme?: 'http' | 'https' | 'grpc' | 'grpcs';
    /**
     * Path after the port, such as /v1 for OpenAI-compatible servers.
     */
    path?: string;
  };
  /**
   * Model name sent to the backend in place of the client's "model" (for azure-openai, the deployment name).
   */
  model: string;
  auth?: BackendAuth;
  cost?: Cost;
  /**
   * Maximum prompt plus completion tokens the model accepts. Informational for now; used by routing to skip backends a prompt does not fit.
   */
  contextWindow?: number;
  /**
   * Preference tier: lower is preferred. The priority strategy sends traffic to the lowest tier, weighted within it.
   */
  priority?: number;
  /**
   * Relative share of traffic among backends of the same tier (priority) or of the whole route (weighted). 0 takes no traffic unless nothing else is left.
   */
  weight?: number;
  /**
   * How prompt and completion tokens are counted when the backend does not report usage: o200k_base (GPT-4o and later), cl100k_base (GPT-4, GPT-3.5), or a path to a HuggingFace tokenizer.json file (a name ending in .json; relative to the route file's folder or the working directory; a regular file of at most 64 MiB). Kubernetes mode: only inside the gateway's model folders (docs/kubernetes.md, Files a route names).
   */
  tokenizer?: string;
  /**
   * Most requests in flight to this backend from one gateway process. Further requests wait in a queue (maxQueue); when that is full too, routing moves to the next backend, and if none is left the client gets 429 with Retry-After. Unlimited when omitted.
   */
  maxConcurrency?: number;
  /**
   * Requests that may wait for a free slot when maxConcurrency is reached. A waiting request gives up after the route's connect timeout.
   */
  maxQueue?: number;
  /**
   * azure-openai: the api-version query parameter (default 2024-10-21); anthropic: the anthropic-version header (default 2023-06-01). Ignored by other providers.
   */
  apiVersion?: string;
  /**
   * Extra HTTP headers sent to this backend (for example an organisation or project header). They cannot override the authentication header.
   */
  headers?: {
    [k: string]: string;
  };
  /**
   * The most tokens this backend writes in one answer when the client sets no max_tokens: what token limits and budgets reserve for such a request, the max_tokens sent to anthropic (its Messages API requires one; default 4096) and to triton (default 256).
   */
  maxOutputTokens?: number;
  /**
   * Request features this backend accepts: tools (tools / function calling), images (image_url content parts), json-mode (response_format json_object or json_schema). A request that needs a feature the backend lacks skips it (reason unsupported) rather than being sent a request it would reject. Default: all three, except for triton (none: a raw-text model takes none of them).
   *
   * @maxItems 3
   */
  capabilities?: ('tools' | 'images' | 'json-mode')[];
  /**
   * triton: how chat messages become the model's text prompt: llama-3, mistral or chatml (default), or a Jinja chat template (as in a HuggingFace tokenizer_config.json; it sees messages, bos_token, eos_token and add_generation_prompt).
   */
  chatTemplate?: string;
}
/**
 * Where the backend's API key comes from; sent as "Authorization: Bearer <key>" (or the provider's own header). Exactly one of env, file or secretRef. Keys are never inlined in a route and never logged.
 */
export interface BackendAuth {
  /**
   * Name of an environment variable of the gateway process holding the key.
   */
  env?: string;
  /**
   * Path of a file holding the key (surrounding whitespace is trimmed). Relative paths are resolved against the route file's folder.
   */
  file?: string;
  /**
   * A key of a Kubernetes Secret in the route's namespace (controller mode; `switchboard serve --kubernetes`). The Secret must carry the label switchboard.dev/credential: "true" (the gateway reads no other Secrets; an unlabelled one leaves the route ResolvedRefs=False, reason SecretNotLabelled). Rotating the Secret takes effect without a restart.
   */
  secretRef?: {
    /**
     * Secret name.
     */
    name: string;
    /**
     * Key within the Secret's data.
     */
    key: string;
  };
}
/**
 * Price of the backend: the cost metrics, budgets and cost-aware strategies use it. Currency is whatever you use consistently (USD in the examples). Reasoning tokens are output tokens and priced as such.
 */
export interface Cost {
  /**
   * Price per million prompt tokens.
   */
  inputPerMillionTokens?: number;
  /**
   * Price per million prompt tokens read from the backend's prompt cache (OpenAI cached_tokens, Anthropic cache_read_input_tokens). Default: inputPerMillionTokens.
   */
  cachedInputPerMillionTokens?: number;
  /**
   * Price per million prompt tokens written to the prompt cache (Anthropic cache_creation_input_tokens). Default: inputPerMillionTokens.
   */
  cacheWriteInputPerMillionTokens?: number;
  /**
   * Price per million completion tokens.
   */
  outputPerMillionTokens?: number;
}
/**
 * How a backend is chosen for each request.
 */
export interface Routing {
  /**
   * priority: the lowest priority tier, weighted random within it. weighted: weighted random over all backends. threshold: a learned router scores each prompt with the probability that the strong backend's answer beats the weak one's, and sends it to the strong backend when the score reaches the threshold (RouteLLM). classifier: a classifier maps the prompt to a class (task, complexity) and the class to a backend (NVIDIA's LLM router blueprint). semantic: the backend whose example utterances the prompt is most similar to (semantic routes). predictive: each backend's quality on the prompt is predicted and the best quality-minus-cost-and-latency wins (Tryage). bandit: online learning from cost, latency and feedback rewards (PickLLM). cascade: the cheapest backend first, escalating while its answer's confidence is too low (FrugalGPT / AutoMix). collaboration: a team of agents per request — a mode (single, cot, chain, reflection, debate, fusion), roles and a backend per agent, chosen per prompt under a cost budget (MasRouter). Each strategy's block (routing.threshold, routing.classifier, ...) configures it; the ranking it returns is what failover walks.
   */
  strategy?:
    | 'priority'
    | 'weighted'
    | 'threshold'
    | 'classifier'
    | 'semantic'
    | 'predictive'
    | 'bandit'
    | 'cascade'
    | 'collaboration';
  threshold?: ThresholdRouting;
  /**
   * Conditions checked before the strategy, with any strategy; the first rule that matches puts its backend first (the others follow by priority as failover).
   *
   * @maxItems 32
   */
  rules?: RoutingRule[];
  embeddings?: EmbeddingsEndpoint;
  classifier?: ClassifierRouting;
  semantic?: SemanticRouting;
  predictive?: PredictiveRouting;
  bandit?: BanditRouting;
  cascade?: CascadeRouting;
  collaboration?: CollaborationRouting;
}
/**
 * Strong/weak routing by a learned router (strategy threshold only). Set exactly one of threshold or targetStrongFraction. Other backends of the route follow as failover, by priority.
 */
export interface ThresholdRouting {
  /**
   * Backend that answers prompts scoring at or above the threshold.
   */
  strong: string;
  /**
   * Backend that answers the others.
   */
  weak: string;
  /**
   * A router folder written by `switchboard train` (router.json + weights.bin): a path, or a name under the gateway's models/ folder, such as default (the shipped default router, models/default) or mf-hashed. Kubernetes mode: only inside the gateway's model folders (docs/kubernetes.md, Files a route names).
   */
  router: string;
  /**
   * mf routers: the model name in the router's training data that the strong backend stands for. Default: the router's own pair.
   */
  strongModel?: string;
  /**
   * mf routers: the training-data model name for the weak backend. Default: the router's own pair.
   */
  weakModel?: string;
  /**
   * Score at or above which the strong backend is used, 0..1.
   */
  threshold?: number;
  /**
   * Instead of threshold: the share of prompts to send to the strong backend; the threshold is calibrated when the route is loaded, on calibrationPrompts or the router's training prompts.
   */
  targetStrongFraction?: number;
  /**
   * File of sample prompts for targetStrongFraction: JSON Lines with a prompt field, or one prompt per line; relative to the route file's folder; a regular file of at most 8 MiB. Kubernetes mode: only inside the gateway's model folders (docs/kubernetes.md, Files a route names). Default: the router's own training prompts (their score percentiles are stored in router.json).
   */
  calibrationPrompts?: string;
}
/**
 * A cheap condition checked before any model (LangChain RunnableBranch style): when every condition given holds, the rule's backend goes first. Rules are checked in order; the first match wins.
 */
export interface RoutingRule {
  /**
   * Shown in x-switchboard-decision as rule:<name> and in metrics.
   */
  name: string;
  /**
   * Backend that goes first when the rule matches.
   */
  backend: string;
  /**
   * Regular expression the prompt text must match, case-insensitive, in the syntax of Rust's regex crate: JavaScript's without backreferences and look-around, matched in time linear in the prompt (a pattern cannot hold the gateway).
   */
  promptMatches?: string;
  /**
   * The prompt must contain at least one of these words or phrases (case-insensitive).
   *
   * @maxItems 64
   */
  keywords?: string[];
  /**
   * A request header condition.
   */
  header?: {
    /**
     * Header name (case-insensitive).
     */
    name: string;
    /**
     * The header's value must equal this; without equals or matches, the header must be present.
     */
    equals?: string;
    /**
     * Regular expression the header's value must match (case-sensitive; the regex crate's syntax, as promptMatches).
     */
    matches?: string;
  };
  /**
   * A condition on the request body's OpenAI `metadata` object.
   */
  metadata?: {
    /**
     * metadata key.
     */
    key: string;
    /**
     * Required value.
     */
    equals: string;
  };
  /**
   * The prompt must have at least this many tokens (the first backend's tokenizer).
   */
  minPromptTokens?: number;
  /**
   * The prompt must have at most this many tokens.
   */
  maxPromptTokens?: number;
}
/**
 * An OpenAI-compatible /v1/embeddings server (OpenAI, an in-cluster NIM or TEI embedder, ...) for the remote encoder: routers trained with `--encoder remote` and semantic routes with encoder remote embed prompts here.
 */
export interface EmbeddingsEndpoint {
  /**
   * Base URL up to /v1, e.g. http://tei.ml.svc:8080/v1 or https://api.openai.com/v1.
   */
  endpoint: string;
  /**
   * Embedding model name sent in the request, e.g. text-embedding-3-small.
   */
  model: string;
  auth?: BackendAuth;
  /**
   * Requested vector size, for models that accept one (OpenAI text-embedding-3-*).
   */
  dimensions?: number;
  /**
   * Time limit of one embeddings call; on expiry the strategy falls back to its default. Default 2s.
   */
  timeout?: string;
}
/**
 * Task or complexity classification (strategy classifier only). Exactly one source: router, onnx or triton.
 */
export interface ClassifierRouting {
  /**
   * A classifier folder written by `switchboard train --router classifier --labels FIELD` (run natively): a path, or a name under models/. Kubernetes mode: only inside the gateway's model folders (docs/kubernetes.md, Files a route names).
   */
  router?: string;
  /**
   * An ONNX text classifier run with onnxruntime-node; the prompt is tokenized natively with its tokenizer.json.
   */
  onnx?: {
    /**
     * model.onnx path (relative to the route file, or absolute; a regular file). Kubernetes mode: only inside the gateway's model folders (docs/kubernetes.md, Files a route names). Inputs: input_ids (int64 [1, n]) and, when declared, attention_mask and token_type_ids; the first output holds the class logits.
     */
    model: string;
    /**
     * tokenizer.json path (HuggingFace format; relative to the route file, or absolute; a regular file of at most 64 MiB). Kubernetes mode: only inside the gateway's model folders (docs/kubernetes.md, Files a route names).
     */
    tokenizer: string;
    /**
     * Class names in output order.
     *
     * @minItems 2
     * @maxItems 64
     */
    labels: string[];
    /**
     * Tokens read from the prompt (default 512).
     */
    maxTokens?: number;
  };
  /**
   * A classifier served by Triton or any KServe v2 server (NVIDIA's task and complexity routers as deployed): the prompt goes in as a BYTES tensor, class scores come back.
   */
  triton?: {
    /**
     * http://host:8000 (v2 HTTP/REST) or grpc://host:8001 (v2 gRPC).
     */
    endpoint: string;
    /**
     * Model name on the server.
     */
    model: string;
    /**
     * Input tensor name (default: the model's first input from its metadata).
     */
    input?: string;
    /**
     * Output tensor name (default: the model's first output).
     */
    output?: string;
    /**
     * Class names in output order.
     *
     * @minItems 2
     * @maxItems 64
     */
    labels: string[];
    /**
     * Time limit of one classification; on expiry the default backend is used. Default 2s.
     */
    timeout?: string;
  };
  /**
   * Class -> backend name. Classes not listed go to default.
   */
  classes: {
    [k: string]: string;
  };
  /**
   * Backend for classes not in classes, for low confidence, and when the classifier fails.
   */
  default: string;
  /**
   * Below this top-class probability the default backend is used. Default 0.
   */
  minConfidence?: number;
}
/**
 * Routes defined by example utterances (strategy semantic only). Utterances are embedded once when the route loads.
 */
export interface SemanticRouting {
  /**
   * lexical: TF-IDF over hashed words, word pairs and character trigrams (no weights, microseconds). sentence: all-MiniLM-L6-v2 on CPU (scripts/fetch-models.sh; milliseconds). remote: routing.embeddings.
   */
  encoder?: 'lexical' | 'sentence' | 'remote';
  /**
   * A route's similarity is the mean over its topK most similar utterances.
   */
  topK?: number;
  /**
   * The semantic routes.
   *
   * @minItems 1
   * @maxItems 64
   */
  routes: {
    /**
     * Shown in x-switchboard-decision.
     */
    name: string;
    /**
     * Backend of this route.
     */
    backend: string;
    /**
     * Example prompts of this route.
     *
     * @minItems 1
     * @maxItems 1000
     */
    utterances: string[];
    /**
     * Minimum similarity for this route to be chosen (0..1). Default 0.
     */
    threshold?: number;
  }[];
  /**
   * Backend when no route reaches its threshold. Default: the route's first backend by priority.
   */
  default?: string;
}
/**
 * Per-prompt quality prediction for every backend (strategy predictive only): the backend maximising quality - lambdaCost * expectedCost - lambdaLatency * expectedLatency wins, among those meeting the constraints.
 */
export interface PredictiveRouting {
  /**
   * A folder written by `switchboard train` with a router kind that predicts each model's quality: predictive, knn, cluster or irt (a path, or a name under models/, as routing.threshold.router). Kubernetes mode: only inside the gateway's model folders (docs/kubernetes.md, Files a route names).
   */
  router: string;
  /**
   * Backend name -> the model name in the router's training data it stands for. Backends not listed are only failover.
   */
  models: {
    [k: string]: string;
  };
  /**
   * Quality points one US dollar of expected cost is worth giving up (e.g. 100: a $0.01 request must be 1.0 better). Default 0.
   */
  lambdaCost?: number;
  /**
   * Quality points per second of expected latency. Default 0.
   */
  lambdaLatency?: number;
  /**
   * Backends whose expected cost (US dollars) exceeds this are not chosen.
   */
  maxCostPerRequest?: number;
  /**
   * Only backends of these providers are chosen.
   *
   * @maxItems 6
   */
  allowedProviders?: ('openai' | 'openai-compatible' | 'nim' | 'azure-openai' | 'anthropic' | 'triton')[];
  /**
   * Output length assumed for expected cost when the router has none for a model (default 256); a request's max_tokens caps it.
   */
  outputTokens?: number;
}
/**
 * Online learning of the best backend from rewards (strategy bandit only): reward = quality weight * quality - cost weight * cost in dollars - latency weight * ln(latency in seconds). Quality comes from POST /v1/feedback (default quality until then).
 */
export interface BanditRouting {
  /**
   * epsilon-greedy, ucb1, thompson (Gaussian posterior on the mean reward) or automaton (PickLLM's learning automaton, linear reward-inaction).
   */
  algorithm?: 'epsilon-greedy' | 'ucb1' | 'thompson' | 'automaton';
  /**
   * epsilon-greedy: share of random choices.
   */
  epsilon?: number;
  /**
   * ucb1: weight of the confidence bonus; thompson: posterior scale.
   */
  exploration?: number;
  /**
   * automaton: step size of the probability update.
   */
  learningRate?: number;
  /**
   * Reward weights.
   */
  weights?: {
    /**
     * Weight of quality (0..1).
     */
    quality?: number;
    /**
     * Weight of cost in US dollars.
     */
    cost?: number;
    /**
     * Weight of ln(latency in seconds).
     */
    latency?: number;
  };
  /**
   * Quality assumed for an answer until feedback arrives.
   */
  defaultQuality?: number;
  /**
   * A separate learner per prompt context: the name of the rule that matched, else the nearest of `contexts` (when given), else the prompt-length bucket (short < 200 tokens, medium < 2000, long).
   */
  contextual?: boolean;
  /**
   * Prompt clusters for contextual learning, defined by example utterances and matched like semantic routes (embedded once at load).
   */
  contexts?: {
    /**
     * lexical (TF-IDF over hashed n-grams) or sentence (all-MiniLM-L6-v2).
     */
    encoder?: 'lexical' | 'sentence';
    /**
     * A cluster's similarity is the mean of its topK closest utterances.
     */
    topK?: number;
    /**
     * The contexts.
     *
     * @minItems 2
     * @maxItems 32
     */
    clusters: {
      /**
       * Context name (shown in the feedback answer).
       */
      name: string;
      /**
       * Example prompts of this context.
       *
       * @minItems 1
       * @maxItems 1000
       */
      utterances: string[];
    }[];
  };
  /**
   * An evaluator backend (LLM as a judge) that scores answers for the learner, as POST /v1/feedback would. Non-streaming answers only.
   */
  evaluator?: {
    /**
     * Backend of this route asked to rate each answer from 0 to 10 (its reply's first number / 10 is the quality). It is not chosen for requests.
     */
    backend: string;
    /**
     * Share of answers sent to the evaluator.
     */
    sampleRate?: number;
    /**
     * Time limit of one evaluation. Default 30s.
     */
    timeout?: string;
  };
}
/**
 * Cheapest first, escalate on low confidence (strategy cascade only). Non-streaming; a streaming request gets the accepted answer as one buffered stream.
 */
export interface CascadeRouting {
  /**
   * Backend names in the order tried. Default: every backend, cheapest (input + output price) first.
   *
   * @maxItems 16
   */
  stages?: string[];
  /**
   * logprob: the mean token log-probability of the answer (requested with logprobs: true). verifier: the verifier backend is asked whether the answer is correct.
   */
  confidence?: 'logprob' | 'verifier';
  /**
   * logprob: accept an answer whose mean token log-probability is at least this.
   */
  minMeanLogprob?: number;
  /**
   * verifier: backend that judges answers (yes / no). Need not serve requests itself.
   */
  verifier?: string;
}
/**
 * A team of agents behind one answer (strategy collaboration only; MasRouter): per request a plan — the collaboration mode, the number of agents, each agent's role and backend — chosen by the controller (or fixed by mode), within the budget, then run over the route's backends. Only the final stage streams. See docs/collaboration.md.
 */
export interface CollaborationRouting {
  /**
   * single: one agent answers. cot: one agent, thinking step by step. chain: each agent refines the previous one's answer. reflection: an answer, the judge's critique, a revision (rounds times). debate: the agents answer, then see each other's answers for rounds rounds, then the judge decides. fusion: the agents answer in parallel, the judge lists agreements, contradictions and gaps, the synthesizer writes the answer. auto: the controller chooses per prompt from its task class and difficulty (and, with learning, from how plans paid off).
   */
  mode?: 'auto' | 'single' | 'cot' | 'chain' | 'reflection' | 'debate' | 'fusion';
  /**
   * auto: the modes the controller may choose. Default: all six.
   *
   * @minItems 1
   * @maxItems 6
   */
  modes?: ('single' | 'cot' | 'chain' | 'reflection' | 'debate' | 'fusion')[];
  /**
   * Agents of chain, debate and fusion plans (single, cot and reflection have one). Default 3; auto may use fewer when the budget asks.
   */
  agents?: number;
  /**
   * reflection: critique-and-revise rounds. debate: rounds in which agents see each other's answers.
   */
  rounds?: number;
  /**
   * debate and fusion: agents of a parallel stage that must answer for the plan to go on (the others' failures are dropped). Default: a majority of the agents.
   */
  minSuccessful?: number;
  /**
   * The role library: each agent plays one role (its system prompt). Built-in roles for general, code and math tasks are used when none fit the task.
   *
   * @maxItems 32
   */
  roles?: CollaborationRole[];
  /**
   * Backend that critiques (reflection), decides (debate) and judges (fusion). Default: the dearest backend.
   */
  judge?: string;
  /**
   * fusion: backend that writes the final answer. Default: the judge.
   */
  synthesizer?: string;
  budget?: CollaborationBudget;
  tasks?: CollaborationTasks;
  difficulty?: CollaborationDifficulty;
  learning?: CollaborationLearning;
  /**
   * auto: a plan policy trained offline (switchboard train --router collaboration), a path relative to the route file; a regular file of at most 8 MiB. Kubernetes mode: only inside the gateway's model folders (docs/kubernetes.md, Files a route names). Its choice per task class and difficulty replaces the built-in one.
   */
  policy?: string;
  /**
   * Let clients fix the plan with x-switchboard-collaboration: mode=debate,agents=3 (within the budget).
   */
  allowClientPlans?: boolean;
  /**
   * Time limit of each stage (default: the route's total timeout, which bounds the whole plan).
   */
  stageTimeout?: string;
  /**
   * Collaboration calls carry x-switchboard-depth; a request arriving at this depth or deeper is refused (a route calling itself through the gateway).
   */
  maxDepth?: number;
}
export interface CollaborationRole {
  name: string;
  systemPrompt: string;
  /**
   * Task classes the role is for (default: every class).
   *
   * @maxItems 16
   */
  tasks?: string[];
  /**
   * Backends the role prefers, in order; the controller assigns one of them when it can.
   *
   * @maxItems 16
   */
  backends?: string[];
}
/**
 * What one request's plan may use at most, estimated before it runs (prompt and max output tokens per call at each backend's prices): plans over it are not chosen; a fixed mode over it is refused.
 */
export interface CollaborationBudget {
  maxCalls?: number;
  maxTokens?: number;
  /**
   * US dollars.
   */
  maxCost?: number;
}
/**
 * How the controller tells a prompt's task class: the class whose example utterances the prompt is nearest to. Default: built-in general, code and math examples (lexical).
 */
export interface CollaborationTasks {
  encoder?: 'lexical' | 'sentence';
  /**
   * @minItems 1
   * @maxItems 32
   */
  classes: {
    name: string;
    /**
     * @minItems 1
     * @maxItems 512
     */
    utterances: string[];
  }[];
}
/**
 * How hard a prompt is, for auto: a learned router's score (the probability that a strong model beats a weak one), computed in the request's one native call. Default: the prompt's length.
 */
export interface CollaborationDifficulty {
  /**
   * A router folder (a path, or a name under the models folder), as routing.threshold.router. Kubernetes mode: only inside the gateway's model folders (docs/kubernetes.md, Files a route names).
   */
  router: string;
  easyBelow?: number;
  hardAbove?: number;
}
/**
 * auto: learn online which plan pays off per task class (the bandit machinery: POST /v1/feedback, Redis-shared statistics); reward = quality - costWeight * cost.
 */
export interface CollaborationLearning {
  algorithm?: 'epsilon-greedy' | 'ucb1' | 'thompson';
  epsilon?: number;
  exploration?: number;
  /**
   * Reward lost per US dollar a plan costs (MasRouter's cost penalty).
   */
  costWeight?: number;
  /**
   * Quality counted for an answer until feedback replaces it.
   */
  defaultQuality?: number;
}
/**
 * Timeouts, retries and failover, and backend health for this route.
 */
export interface Resilience {
  timeouts?: Timeouts;
  /**
   * Failures after which the request is tried on the next backend of the ranking: connect-error (refused, unreachable, connect timeout), reset (connection dropped, response cut short), 5xx, 429 (the backend's Retry-After is honoured: it is skipped until then), timeout (no first token within timeouts.firstToken). Streams fail over only before their first byte reaches the client. An empty list disables failover.
   *
   * @maxItems 5
   */
  retryOn?: ('connect-error' | 'reset' | '5xx' | '429' | 'timeout')[];
  /**
   * Most backends tried for one request, the first included.
   */
  maxAttempts?: number;
  retryBudget?: RetryBudget;
  outlierDetection?: OutlierDetection;
  healthCheck?: HealthCheck;
}
/**
 * Durations such as 500ms, 20s, 5m. A timeout that fires answers the client 504.
 */
export interface Timeouts {
  /**
   * Establishing the TCP/TLS connection. Default 10s.
   */
  connect?: string;
  /**
   * From sending the request to the backend's response headers (for streams, the first token). Default 60s.
   */
  firstToken?: string;
  /**
   * Longest silence between two chunks of a response body. Default 60s.
   */
  idle?: string;
  /**
   * Whole upstream call, body included. Default 600s.
   */
  total?: string;
}
/**
 * Caps retries so that an outage cannot multiply load: retries may add at most `ratio` of the route's request rate, plus minRetriesPerSecond.
 */
export interface RetryBudget {
  /**
   * Retries allowed per request, on average.
   */
  ratio?: number;
  /**
   * Retries always allowed per second, so that a quiet route can still fail over.
   */
  minRetriesPerSecond?: number;
}
/**
 * Passive health: a backend that keeps failing is ejected (skipped by routing) for a cool-down that doubles on each repeat ejection, then given one probe request (half-open) before it takes traffic again. When every backend of a route is ejected, they are all tried anyway rather than failing the request.
 */
export interface OutlierDetection {
  /**
   * Failures in a row that eject a backend.
   */
  consecutiveFailures?: number;
  /**
   * Share of failed requests within `window` that ejects a backend (once minRequests were seen).
   */
  failureRate?: number;
  /**
   * Requests within `window` before failureRate is judged.
   */
  minRequests?: number;
  /**
   * Window of the failure rate.
   */
  window?: string;
  /**
   * First cool-down; doubled on each repeat ejection.
   */
  baseEjectionTime?: string;
  /**
   * Longest cool-down.
   */
  maxEjectionTime?: string;
}
/**
 * Active health checks: a GET to each backend at an interval. A failed check counts as a failure for outlier detection; a passing one ends an ejection early. Off when omitted.
 */
export interface HealthCheck {
  /**
   * Time between checks, at least 1s (each backend is probed by every gateway process). A backend whose last check has not answered yet is not sent another.
   */
  interval?: string;
  /**
   * A check slower than this fails.
   */
  timeout?: string;
  /**
   * Path appended to the backend's endpoint. Default: models (GET /v1/models for an endpoint ending in /v1); for nim, health/ready (NIM's readiness endpoint).
   */
  path?: string;
}
/**
 * Limits for the whole route, all callers together, per gateway deployment (shared through Redis when the gateway runs with --redis).
 */
export interface RouteLimits {
  /**
   * Requests admitted per minute.
   */
  requestsPerMinute?: number;
  /**
   * Prompt plus completion tokens per minute.
   */
  tokensPerMinute?: number;
  /**
   * Completion tokens reserved (per choice, times n) against token limits and budgets — API-key, tenant and route ones — for a request that sets no max_tokens, on backends without maxOutputTokens. Corrected to the real usage afterwards; a larger value refuses such requests sooner, a smaller one lets a burst overshoot more. Default 4096.
   */
  reserveOutputTokens?: number;
}
/**
 * Prompt sampling, off unless this block is present: a share of the route's answered requests have their prompt written — with the backend that answered, the router's score and decision, and the caller's tenant — to a JSON Lines file or a Redis stream, for `switchboard label` to turn into training data. Prompts can hold personal or confidential data: turning this on is a privacy decision (docs/routing.md, Privacy). Exactly one of file or redis.
 */
export interface Sampling {
  /**
   * Share of answered requests sampled, each drawn independently (0.01 = one in a hundred on average).
   */
  rate: number;
  /**
   * JSON Lines, one record per sampled request, appended; rotated by size (path.1 is the newest rotated file).
   */
  file?: {
    /**
     * Standalone mode: the file, a relative path resolved against the route file's folder. Kubernetes mode (or a gateway started with --sampling-dir DIR): a plain file name, written as DIR/<route namespace>/<name>; without --sampling-dir, file sampling is refused in Kubernetes mode.
     */
    path: string;
    /**
     * A file is rotated before it would pass this size. Default 104857600 (100 MiB).
     */
    maxBytes?: number;
    /**
     * Rotated files kept (path.1 ... path.N); older ones are deleted, so the sample never takes more than (maxFiles + 1) x maxBytes. Default 5; 0 keeps none (the file starts over).
     */
    maxFiles?: number;
  };
  /**
   * A Redis stream: each record is one XADD entry (field "record", the JSON), the stream trimmed to about maxLength entries. The password (AUTH), if any, comes from auth as a backend's key does (in Kubernetes mode from a Secret, or the pod's allow-listed credentials).
   */
  redis?: {
    /**
     * redis://host:port[/db] (or rediss:// for TLS), without a password: put it in auth.
     */
    url: string;
    /**
     * The stream's key.
     */
    stream: string;
    /**
     * Entries kept (XADD MAXLEN ~). Default 100000.
     */
    maxLength?: number;
    auth?: BackendAuth;
  };
  /**
   * Longer prompts are cut to this many characters (the record says truncated). Default 8192.
   */
  maxPromptChars?: number;
  /**
   * Regular expressions (the regex crate's syntax: JavaScript's without backreferences and look-around, matched in linear time; applied globally and in order) whose matches are replaced before the record is written — e-mail addresses, card numbers, names of your own. Redaction is best effort: a pattern only removes what it matches.
   *
   * @maxItems 32
   */
  redact?: {
    /**
     * The regular expression.
     */
    pattern: string;
    /**
     * Extra flags (i: case-insensitive, m, s, u); g is always on.
     */
    flags?: string;
    /**
     * What a match becomes. Default [REDACTED].
     */
    replacement?: string;
  }[];
}
/**
 * Written by the controller's leader; ignored in standalone mode.
 */
export interface LLMRouteStatus {
  /**
   * metadata.generation of the spec the status describes.
   */
  observedGeneration?: number;
  /**
   * Accepted (the route is valid and owns its model names), ResolvedRefs (every Secret and Service it references is resolved), Programmed (the gateway serves it).
   *
   * @maxItems 8
   */
  conditions?: Condition[];
  /**
   * Health of each backend as the leader's gateway sees it (outlier detection and active checks).
   *
   * @maxItems 32
   */
  backends?: {
    name: string;
    health: 'healthy' | 'ejected' | 'half-open' | 'rate-limited';
  }[];
}
/**
 * A status condition, as metav1.Condition.
 */
export interface Condition {
  /**
   * Accepted, ResolvedRefs or Programmed.
   */
  type: string;
  status: 'True' | 'False' | 'Unknown';
  /**
   * Machine-readable reason, such as ModelNameConflict, Invalid, BackendNotFound, SecretNotFound, SecretNotLabelled, SecretKeyMissing.
   */
  reason: string;
  /**
   * What a person should know.
   */
  message: string;
  /**
   * When status last changed (RFC 3339).
   */
  lastTransitionTime: string;
  /**
   * metadata.generation this condition was computed from.
   */
  observedGeneration?: number;
}
