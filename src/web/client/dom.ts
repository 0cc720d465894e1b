/** Tiny DOM helpers: element builder, focus-keeping re-render, live countdowns, notices. */

export type Child = Node | string | number | null | undefined | false | Child[];
type Handler = (event: any) => void;
export type Props = Record<string, string | number | boolean | Handler | null | undefined>;

/**
 * `h('button', { class: 'primary', onclick: go, disabled: !ok, 'data-key': 'go' }, 'Go')`.
 * `on*` functions become listeners; booleans toggle attributes/properties; null/undefined/false skip.
 */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props?: Props | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props ?? {})) {
    if (value === null || value === undefined) continue;
    if (typeof value === 'function') {
      element.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (name === 'value') {
      (element as unknown as HTMLInputElement).value = String(value);
    } else if (name === 'checked' || name === 'selected') {
      (element as unknown as Record<string, boolean>)[name] = Boolean(value);
    } else if (typeof value === 'boolean') {
      if (value) element.setAttribute(name, name.startsWith('aria-') ? 'true' : '');
      else if (name.startsWith('aria-')) element.setAttribute(name, 'false');
    } else {
      element.setAttribute(name, String(value));
    }
  }
  append(element, children);
  return element;
}

export function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

/**
 * Replaces `container`'s children, keeping keyboard focus: if the focused element had a
 * `data-key`, the new element with the same key gets focus back (when it can take it).
 */
export function render(container: HTMLElement, ...children: Child[]): void {
  const active = document.activeElement as HTMLElement | null;
  const key = active && container.contains(active) ? active.getAttribute('data-key') : null;
  const fragment = document.createDocumentFragment();
  append(fragment, children);
  container.replaceChildren(fragment);
  if (key) {
    const again = container.querySelector<HTMLElement>(`[data-key="${CSS.escape(key)}"]`);
    if (again && !(again as HTMLButtonElement).disabled) again.focus({ preventScroll: true });
  }
}

/** A padlock (inline SVG: no emoji font needed) for password-protected rooms. */
export function lockIcon(label: string): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 16 16');
  svg.setAttribute('class', 'lock');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', label);
  const title = document.createElementNS(ns, 'title');
  title.textContent = label;
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('fill', 'currentColor');
  path.setAttribute('d', 'M8 1a3.5 3.5 0 0 0-3.5 3.5V7H4a1 1 0 0 0-1 1v6a1 1 0 0 0 1 1h8a1 1 0 0 0 1-1V8a1 1 0 0 0-1-1h-.5V4.5A3.5 3.5 0 0 0 8 1Zm-2 6V4.5a2 2 0 1 1 4 0V7H6Z');
  svg.append(title, path);
  return svg;
}

/** Shows/hides an element (keeps it in the DOM). */
export function show(element: HTMLElement, visible: boolean): void {
  element.hidden = !visible;
}

// ---- countdowns ---------------------------------------------------------------------------------

let clockOffset = () => 0;

/** Countdowns use the server clock when known (`RoomSession.clockOffset`). */
export function setClock(offset: () => number): void {
  clockOffset = offset;
}

/** A `<span>` showing seconds left until `deadline` (epoch ms, server clock), updated live. */
export function countdown(deadline: number, suffix = ' s'): HTMLSpanElement {
  const span = h('span', { class: 'countdown', 'data-deadline': deadline, 'data-suffix': suffix });
  tickOne(span, Date.now() + clockOffset());
  return span;
}

function tickOne(element: HTMLElement, now: number): void {
  const deadline = Number(element.getAttribute('data-deadline'));
  const left = Math.max(0, Math.ceil((deadline - now) / 1000));
  const text = `${left}${element.getAttribute('data-suffix') ?? ''}`;
  if (element.textContent !== text) element.textContent = text;
  element.classList.toggle('urgent', left <= 10);
}

setInterval(() => {
  const now = Date.now() + clockOffset();
  document.querySelectorAll<HTMLElement>('[data-deadline]').forEach((element) => tickOne(element, now));
}, 250);

// ---- notices --------------------------------------------------------------------------------------

/** A dismissable notice in the corner; errors are announced assertively. */
export function notify(text: string, kind: 'error' | 'info' | 'warning' = 'error', ms = 6000): void {
  const region = document.getElementById(kind === 'error' ? 'alerts' : 'notices');
  if (!region) return;
  const close = h('button', { class: 'icon', 'aria-label': 'Dismiss', title: 'Dismiss' }, '×');
  const notice = h('div', { class: `notice ${kind}`, 'data-testid': `notice-${kind}` }, h('span', null, text), close);
  const remove = () => notice.remove();
  close.addEventListener('click', remove);
  region.appendChild(notice);
  while (region.children.length > 4) region.firstElementChild?.remove();
  setTimeout(remove, ms);
}

/** Copies text to the clipboard; falls back to selecting it in a prompt-free way. */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

/** `<label>` wrapping a field with its caption (keeps inputs accessible without ids). */
export function field(caption: string, input: HTMLElement, hint?: string): HTMLLabelElement {
  return h('label', { class: 'field' }, h('span', { class: 'caption' }, caption), input, hint ? h('small', { class: 'hint' }, hint) : null);
}

export function checkbox(caption: string, input: HTMLInputElement): HTMLLabelElement {
  return h('label', { class: 'check' }, input, h('span', null, caption));
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
