// Field selectors (`metadata.name=x,status.phase!=Running`) over the few
// fields the API server lets pods and namespaces be selected by.
import type { Kind, KubeObject } from "./objects.ts";
import { badRequest } from "./responses.ts";

export type FieldSelector = (object: KubeObject) => boolean;

const selectableFields: Record<Kind, Record<string, (object: KubeObject) => string>> = {
  Pod: {
    "metadata.name": (o) => o.metadata.name,
    "metadata.namespace": (o) => o.metadata.namespace ?? "",
    "spec.nodeName": (o) => String(o.spec?.nodeName ?? ""),
    "spec.restartPolicy": (o) => String(o.spec?.restartPolicy ?? ""),
    "status.phase": (o) => String(o.status?.phase ?? ""),
    "status.podIP": (o) => String(o.status?.podIP ?? ""),
  },
  Namespace: {
    "metadata.name": (o) => o.metadata.name,
    "status.phase": (o) => String(o.status?.phase ?? ""),
  },
};

export function parseFieldSelector(kind: Kind, text: string | null | undefined): FieldSelector {
  if (!text || text.trim() === "") return () => true;
  const tests = text.split(",").map((part) => {
    const match = /^\s*([^!=\s]+)\s*(==|=|!=)\s*(.*?)\s*$/.exec(part);
    if (!match) throw badRequest(`invalid field selector: "${part}" is not of the form field=value or field!=value`);
    const [, field, op, value] = match as unknown as [string, string, string, string];
    const read = selectableFields[kind][field];
    if (!read) {
      const known = Object.keys(selectableFields[kind]).map((f) => `"${f}"`).join(", ");
      throw badRequest(`field label not supported: "${field}" (a ${kind} can be selected by ${known})`);
    }
    return op === "!=" ? (o: KubeObject) => read(o) !== value : (o: KubeObject) => read(o) === value;
  });
  return (object) => tests.every((test) => test(object));
}
