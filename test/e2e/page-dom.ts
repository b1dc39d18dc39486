/**
 * The few DOM types that the functions run inside the page (page.evaluate)
 * use. The project compiles as Node code, without the DOM library; these
 * keep the page-side code type-checked all the same.
 *
 * Page-side functions are sent to the browser as their source text: they may
 * not call anything defined outside them, and must not assign functions to
 * names inside them (tsx wraps those in a helper the page does not have).
 */
export interface DomRect {
  x: number;
  y: number;
  width: number;
  height: number;
  top: number;
  bottom: number;
}

export interface DomNode {
  textContent: string | null;
}

export interface DomElement extends DomNode {
  getBoundingClientRect(): DomRect;
  querySelectorAll(selector: string): Iterable<DomElement>;
}

export interface PageGlobals {
  document: {
    querySelectorAll(selector: string): Iterable<DomElement>;
    createTreeWalker(root: DomElement, whatToShow: number): { nextNode(): DomNode | null };
    createRange(): { setStart(node: DomNode, offset: number): void; setEnd(node: DomNode, offset: number): void; getBoundingClientRect(): DomRect };
  };
  NodeFilter: { SHOW_TEXT: number };
}
