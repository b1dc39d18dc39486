/**
 * The run form: one quick input per input of the entity, in declared order,
 * each validated by its type as it is typed (input-values.ts). File and Dir
 * take a path, typed or picked with the folder button (showOpenDialog).
 * Each input starts from the value last used for that entity.
 */
import { isAbsolute, relative, resolve } from "node:path";
import { QuickInputButtons, ThemeIcon, Uri, window, type InputBox, type Memento, type QuickInputButton, type QuickPick, type QuickPickItem } from "vscode";
import type { EntityCommandArgument, FieldSpec } from "../../server/protocol.ts";
import { inputProblem, mayBeLeftOut, promptFor, promptHint, typeText, type Prompt } from "./input-values.ts";

const BROWSE: QuickInputButton = { iconPath: new ThemeIcon("folder-opened"), tooltip: "Browse…" };
const LEAVE_OUT = "(leave out)";

function memoryKey(entity: EntityCommandArgument): string {
  return `aloft.inputs:${entity.file}#${entity.entity}`;
}

export function rememberedInputs(memory: Memento, entity: EntityCommandArgument): Record<string, string> {
  return memory.get<Record<string, string>>(memoryKey(entity)) ?? {};
}

export function rememberInputs(memory: Memento, entity: EntityCommandArgument, values: Record<string, string>): Thenable<void> {
  return memory.update(memoryKey(entity), values);
}

/** The values typed, by input name; undefined when the user cancelled. */
export async function askInputs(entity: EntityCommandArgument, folder: string, remembered: Record<string, string>, verb: string): Promise<Record<string, string> | undefined> {
  const names = Object.keys(entity.interface.inputs);
  const values: Record<string, string> = {};
  for (let step = 0; step < names.length; ) {
    const name = names[step]!;
    const field = entity.interface.inputs[name]!;
    const question: Question = { title: `aloft: ${verb} ${entity.entity}`, step: step + 1, total: names.length, name, field, folder, value: values[name] ?? remembered[name] ?? "" };
    const answer = await ask(question, promptFor(field));
    if (answer === "back") {
      step = Math.max(0, step - 1);
      continue;
    }
    if (answer === undefined) return undefined;
    values[name] = answer;
    step++;
  }
  return values;
}

interface Question {
  title: string;
  step: number;
  total: number;
  name: string;
  field: FieldSpec;
  folder: string;
  value: string;
}

type Answer = string | "back" | undefined;

function ask(question: Question, prompt: Prompt): Promise<Answer> {
  return prompt.kind === "choice" ? pick(question, prompt.options) : type(question, prompt);
}

function placeholder({ name, field }: Question): string {
  return `${name}: ${typeText(field.type)}${mayBeLeftOut(field) ? " (optional)" : ""}`;
}

function pick(question: Question, options: string[]): Promise<Answer> {
  const items: QuickPickItem[] = options.map((label) => ({ label }));
  if (mayBeLeftOut(question.field)) items.push({ label: LEAVE_OUT, description: `run without ${question.name}` });
  const input = window.createQuickPick();
  Object.assign(input, { title: question.title, step: question.step, totalSteps: question.total, placeholder: placeholder(question), items, ignoreFocusOut: true });
  input.buttons = question.step > 1 ? [QuickInputButtons.Back] : [];
  const current = items.find((item) => item.label === (question.value || (mayBeLeftOut(question.field) ? LEAVE_OUT : undefined)));
  if (current) input.activeItems = [current];
  return settle(input, (done) => {
    input.onDidAccept(() => {
      const chosen = input.selectedItems[0] ?? input.activeItems[0];
      if (chosen) done(chosen.label === LEAVE_OUT ? "" : chosen.label);
    });
  });
}

function type(question: Question, prompt: Prompt): Promise<Answer> {
  const input = window.createInputBox();
  Object.assign(input, {
    title: question.title,
    step: question.step,
    totalSteps: question.total,
    placeholder: placeholder(question),
    prompt: `${placeholder(question)} — ${promptHint(prompt)}`,
    value: question.value,
    ignoreFocusOut: true,
  });
  const browse = prompt.kind === "path" ? prompt.target : undefined;
  input.buttons = [...(question.step > 1 ? [QuickInputButtons.Back] : []), ...(browse ? [BROWSE] : [])];
  const problem = (text: string) => inputProblem(text, question.field, { name: question.name, folder: question.folder });
  input.validationMessage = question.value ? problem(question.value) : undefined;
  return settle(input, (done) => {
    input.onDidChangeValue((text) => (input.validationMessage = problem(text)));
    input.onDidAccept(() => {
      const message = problem(input.value);
      if (message) input.validationMessage = message;
      else done(input.value);
    });
    input.onDidTriggerButton(async (button) => {
      if (button !== BROWSE || !browse) return;
      const start = input.value ? (isAbsolute(input.value) ? input.value : resolve(question.folder, input.value)) : question.folder;
      const picked = await window.showOpenDialog({
        canSelectFiles: browse === "file",
        canSelectFolders: browse === "dir",
        canSelectMany: false,
        defaultUri: Uri.file(start),
        title: `${question.name}: ${typeText(question.field.type)}`,
      });
      const path = picked?.[0]?.fsPath;
      if (!path) return;
      const inside = relative(question.folder, path);
      input.value = inside && !inside.startsWith("..") && !isAbsolute(inside) ? inside : path;
      input.validationMessage = problem(input.value);
    });
  });
}

/** Shows a quick input until it gives an answer, is left with Back, or is hidden (cancelled). */
function settle(input: QuickPick<QuickPickItem> | InputBox, wire: (done: (answer: Answer) => void) => void): Promise<Answer> {
  return new Promise((resolve) => {
    let answered = false;
    const done = (answer: Answer) => {
      if (answered) return;
      answered = true;
      resolve(answer);
      input.dispose();
    };
    wire(done);
    input.onDidTriggerButton((button) => {
      if (button === QuickInputButtons.Back) done("back");
    });
    input.onDidHide(() => done(undefined));
    input.show();
  });
}
