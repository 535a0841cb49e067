/** The panel's controls: @vscode-elements components (and a native range input) wired to callbacks. */
import { el } from './dom';

export function button(label: string, onClick: () => void, options: { secondary?: boolean; title?: string } = {}): HTMLElementTagNameMap['vscode-button'] {
  return el('vscode-button', { secondary: options.secondary ?? false, on: { click: onClick }, attrs: options.title ? { title: options.title } : {} }, [label]);
}

export interface Choice<T extends string> {
  value: T;
  label: string;
}

/** A control with its label, and a way to show a value chosen elsewhere (state restored, a cancelled change). */
export interface Field<T> {
  element: HTMLElement;
  set(value: T): void;
}

export function select<T extends string>(label: string, choices: Choice<T>[], value: T, onChange: (value: T) => void): Field<T> {
  const control = el(
    'vscode-single-select',
    { attrs: { 'aria-label': label }, on: { change: () => onChange(control.value as T) } },
    choices.map((choice) => el('vscode-option', { value: choice.value }, [choice.label])),
  );
  control.value = value;
  return { element: field(label, control), set: (next) => (control.value = next) };
}

/** A text field that reports its value when the user presses Enter or leaves it. */
export function textField(label: string, value: string, onCommit: (value: string) => void, options: { placeholder?: string; size?: 'narrow' | 'wide' } = {}): Field<string> {
  const control = el('vscode-textfield', { value, placeholder: options.placeholder ?? '', class: options.size ?? 'narrow', attrs: { 'aria-label': label }, on: { change: () => onCommit(control.value) } });
  return { element: field(label, control), set: (next) => (control.value = next) };
}

export function checkbox(label: string, checked: boolean, onChange: (checked: boolean) => void): HTMLElement {
  const control = el('vscode-checkbox', { checked, label, on: { change: () => onChange(control.checked) } });
  return control;
}

export interface SliderOptions {
  label: string;
  min: number;
  max: number;
  step: number;
  value: number;
  /** The text shown beside the slider for a value. */
  format: (value: number) => string;
  onInput: (value: number) => void;
}

/**
 * vscode-elements has no slider; a native range input keeps arrow keys, Page Up/Down and
 * Home/End working, and the theme colors it through CSS.
 */
export function slider(options: SliderOptions): { element: HTMLElement; input: HTMLInputElement } {
  const output = el('output', { class: 'slider-value' }, [options.format(options.value)]);
  const input = el('input', {
    type: 'range',
    min: String(options.min),
    max: String(options.max),
    step: String(options.step),
    value: String(options.value),
    attrs: { 'aria-label': options.label },
    on: {
      input: () => {
        output.textContent = options.format(input.valueAsNumber);
        options.onInput(input.valueAsNumber);
      },
    },
  });
  return { element: el('label', { class: 'slider' }, [el('span', { class: 'slider-label' }, [options.label]), input, output]), input };
}

function field(label: string, control: HTMLElement): HTMLElement {
  return el('label', { class: 'field' }, [el('span', { class: 'field-label' }, [label]), control]);
}

/** A one-line message in place of content: loading, empty, unavailable or failed. */
export function notice(text: string, kind: 'info' | 'busy' | 'error' = 'info'): HTMLElement {
  return el('div', { class: `notice notice-${kind}`, attrs: { role: kind === 'error' ? 'alert' : 'status' } }, [kind === 'busy' ? el('vscode-progress-ring', {}) : undefined, el('span', {}, [text])]);
}
