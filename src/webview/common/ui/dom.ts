/** Building DOM without a framework: an element, its properties and attributes, its children. */

type Child = Node | string | undefined | false;

interface Options {
  class?: string;
  /** Attributes rather than properties: aria-*, data-*, role, title. */
  attrs?: Record<string, string>;
  /** Event listeners by event name. */
  on?: Record<string, (event: Event) => void>;
}

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  options: Options & Partial<Omit<HTMLElementTagNameMap[K], 'style' | 'children' | keyof Options>> = {},
  children: Child[] = [],
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  const { class: className, attrs, on, ...properties } = options;
  if (className) element.className = className;
  for (const [name, value] of Object.entries(attrs ?? {})) element.setAttribute(name, value);
  for (const [name, listener] of Object.entries(on ?? {})) element.addEventListener(name, listener);
  Object.assign(element, properties);
  element.append(...children.filter((child): child is Node | string => child !== undefined && child !== false));
  return element;
}

/** Replaces an element's children. */
export function show(parent: Element, ...children: Child[]): void {
  parent.replaceChildren(...children.filter((child): child is Node | string => child !== undefined && child !== false));
}
