import { Template } from '@huggingface/jinja';

/**
 * Chat templates for models served as raw text (Triton/TensorRT-LLM
 * ensembles): the named ones, written as the Jinja chat templates their
 * model cards publish, or any Jinja template from a tokenizer_config.json.
 */
const NAMED_TEMPLATES: Record<string, { template: string; bos: string; eos: string }> = {
  'llama-3': {
    bos: '<|begin_of_text|>',
    eos: '<|eot_id|>',
    template:
      "{{ bos_token }}{% for message in messages %}{{ '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' + message['content'] | trim + '<|eot_id|>' }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}",
  },
  mistral: {
    bos: '<s>',
    eos: '</s>',
    template:
      "{% if messages[0]['role'] == 'system' %}{% set system = messages[0]['content'] + '\\n\\n' %}{% set loop_messages = messages[1:] %}{% else %}{% set system = '' %}{% set loop_messages = messages %}{% endif %}{{ bos_token }}{% for message in loop_messages %}{% if message['role'] == 'user' %}{% if loop.first %}{{ '[INST] ' + system + message['content'] + ' [/INST]' }}{% else %}{{ '[INST] ' + message['content'] + ' [/INST]' }}{% endif %}{% elif message['role'] == 'assistant' %}{{ message['content'] + eos_token }}{% endif %}{% endfor %}",
  },
  chatml: {
    bos: '',
    eos: '<|im_end|>',
    template:
      "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}",
  },
};

export interface TemplateMessage {
  role: string;
  content: string;
}

export type ChatTemplate = (messages: TemplateMessage[]) => string;

/** Compiles a named or Jinja template; throws with the parser's message when it is not valid. */
export function compileChatTemplate(spec: string | undefined): ChatTemplate {
  const name = spec ?? 'chatml';
  const named = NAMED_TEMPLATES[name];
  const template = new Template(named ? named.template : name);
  const tokens = { bos_token: named?.bos ?? '', eos_token: named?.eos ?? '' };
  return (messages) => template.render({ messages, add_generation_prompt: true, ...tokens });
}

/** True when `spec` names a template or looks like Jinja; anything else is a typo worth reporting. */
export function isTemplateSpec(spec: string): boolean {
  return spec in NAMED_TEMPLATES || /{{|{%/.test(spec);
}
