import { describe, expect, it } from 'vitest';
import { compileChatTemplate, isTemplateSpec } from './chat-template.js';

const conversation = [
  { role: 'system', content: 'You are helpful.' },
  { role: 'user', content: 'Hi' },
  { role: 'assistant', content: 'Hello!' },
  { role: 'user', content: 'How are you?' },
];

// Golden outputs: what the models' published chat templates render.
describe('chat templates', () => {
  it('renders chatml (the default)', () => {
    expect(compileChatTemplate(undefined)(conversation)).toBe(
      '<|im_start|>system\nYou are helpful.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>\n<|im_start|>user\nHow are you?<|im_end|>\n<|im_start|>assistant\n',
    );
  });

  it('renders llama-3', () => {
    expect(compileChatTemplate('llama-3')(conversation)).toBe(
      '<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are helpful.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\nHello!<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nHow are you?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n',
    );
  });

  it('renders mistral, folding the system prompt into the first instruction', () => {
    expect(compileChatTemplate('mistral')(conversation)).toBe(
      '<s>[INST] You are helpful.\n\nHi [/INST]Hello!</s>[INST] How are you? [/INST]',
    );
  });

  it('renders a Jinja template given as text, and rejects a broken one', () => {
    const custom = compileChatTemplate(
      '{% for m in messages %}{{ m.role }}: {{ m.content }}\n{% endfor %}{% if add_generation_prompt %}assistant:{% endif %}',
    );
    expect(custom(conversation.slice(1, 2))).toBe('user: Hi\nassistant:');
    expect(() => compileChatTemplate('{% for m in messages %}{{ m.role }')).toThrow();
    expect(isTemplateSpec('llama3')).toBe(false);
    expect(isTemplateSpec('llama-3')).toBe(true);
  });
});
