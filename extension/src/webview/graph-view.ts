/**
 * The graph webview's script (bundled for the browser with dagre): draws the
 * laid-out graph as SVG boxes and edges, and colours the boxes by the node
 * states the extension posts while an execution runs.
 */
import { layoutGraph, type Box, type Layout } from "../graph-layout.ts";
import type { FromWebview, NodeStates, ToWebview } from "../graph-messages.ts";

declare function acquireVsCodeApi(): { postMessage(message: FromWebview): void };

const vscode = acquireVsCodeApi();
const SVG = "http://www.w3.org/2000/svg";
const title = document.getElementById("title")!;
const status = document.getElementById("status")!;
const canvas = document.getElementById("graph") as unknown as SVGSVGElement;
let states: NodeStates | undefined;

function element<K extends keyof SVGElementTagNameMap>(name: K, attributes: Record<string, string | number>, parent: Element): SVGElementTagNameMap[K] {
  const created = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) created.setAttribute(key, String(value));
  parent.appendChild(created);
  return created;
}

function draw(layout: Layout): void {
  canvas.replaceChildren();
  canvas.setAttribute("viewBox", `0 0 ${Math.ceil(layout.width)} ${Math.ceil(layout.height)}`);
  canvas.setAttribute("width", String(Math.ceil(layout.width)));
  canvas.setAttribute("height", String(Math.ceil(layout.height)));
  const defs = element("defs", {}, canvas);
  const marker = element("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" }, defs);
  element("path", { d: "M 0 0 L 10 5 L 0 10 z", class: "arrowhead" }, marker);

  for (const edge of layout.edges) {
    const group = element("g", { class: "edge", "data-from": edge.from, "data-to": edge.to }, canvas);
    const d = edge.points.map((p, i) => `${i ? "L" : "M"} ${p.x.toFixed(1)} ${p.y.toFixed(1)}`).join(" ");
    element("path", { d, "marker-end": "url(#arrow)" }, group);
    if (edge.label && edge.points.length) {
      const middle = edge.points[Math.floor(edge.points.length / 2)]!;
      element("text", { x: middle.x + 6, y: middle.y, class: "edge-label" }, group).textContent = edge.label;
    }
  }
  for (const box of layout.boxes) drawBox(box);
  paint();
}

function drawBox(box: Box): void {
  const group = element("g", { class: `node kind-${box.kind}`, "data-node-id": box.id, transform: `translate(${box.x - box.width / 2}, ${box.y - box.height / 2})` }, canvas);
  element("rect", { width: box.width, height: box.height, rx: 6 }, group);
  element("text", { x: box.width / 2, y: 19, class: "label" }, group).textContent = box.label;
  element("text", { x: box.width / 2, y: 36, class: "detail" }, group).textContent = box.detail;
  element("title", {}, group).textContent = `${box.label}: ${box.detail}`;
  if (box.kind !== "inputs" && box.kind !== "output") group.addEventListener("click", () => vscode.postMessage({ type: "open-logs", nodeId: box.id }));
}

/** Colours each box by its node's state in the execution shown, if any. */
function paint(): void {
  for (const group of canvas.querySelectorAll<SVGGElement>("g.node")) {
    const node = states?.nodes[group.dataset.nodeId ?? ""];
    if (node) {
      group.dataset.state = node.status;
      group.classList.toggle("cached", node.cached);
    } else {
      delete group.dataset.state;
      group.classList.remove("cached");
    }
  }
  status.textContent = states ? `execution ${states.executionId}: ${states.executionStatus}` : "no execution of this workflow in this window yet: ▶ Run locally colours the nodes as they run";
}

window.addEventListener("message", (event: MessageEvent<ToWebview>) => {
  const message = event.data;
  switch (message.type) {
    case "graph":
      title.textContent = message.title;
      try {
        draw(layoutGraph(message.graph));
      } catch (error) {
        status.textContent = `cannot draw the graph: ${error instanceof Error ? error.message : String(error)}`;
      }
      return;
    case "error":
      title.textContent = message.title;
      canvas.replaceChildren();
      status.textContent = message.message;
      return;
    case "states":
      states = message.states;
      paint();
      return;
  }
});

vscode.postMessage({ type: "ready" });
