// Checks the options of real fixture files with the real TypeScript 7 checker
// (one shared tsgo process). Fixtures import "aloft", which resolves to this
// repo's sdk/; the test finds each `task(options, fn)` and `map(task, options)`
// call itself, as the entity reader and the workflow walker will.
import assert from "node:assert/strict";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import type { CompilerDiagnostic } from "./diagnostics.ts";
import { checkEntityOptions, checkMapOptions, OPTION_CODES } from "./entity-options.ts";
import { closestName } from "./spelling.ts";
import { is, TypeScriptSession, type Node, type OpenedFile } from "./ts-api.ts";

const fixtures = resolve(import.meta.dirname, "../test/fixtures/compiler/options");
const fixture = (name: string) => join(fixtures, name);

let session: TypeScriptSession;
before(() => {
  session = new TypeScriptSession();
});
after(() => session.close());

/** Runs the check of one call. */
type OptionsCall = () => CompilerDiagnostic[];

/** Every `task(options, fn)` and `map(task, options)` of the file, named after the const it initializes. */
function optionsCalls(opened: OpenedFile): OptionsCall[] {
  const calls: OptionsCall[] = [];
  const visit = (node: Node): undefined => {
    if (is.isCallExpression(node) && is.isIdentifier(node.expression) && node.arguments.length === 2) {
      const first = node.arguments[0]!;
      const second = node.arguments[1]!;
      if (node.expression.text === "task") {
        const subject = `task "${declaredName(node)}"`;
        calls.push(() => checkEntityOptions(opened, first, subject));
      } else if (node.expression.text === "map") {
        const subject = `map over task "${first.getText()}"`;
        calls.push(() => checkMapOptions(opened, second, subject));
      }
    }
    node.forEachChild(visit);
  };
  visit(opened.sourceFile);
  return calls;
}

function declaredName(node: Node): string {
  for (let current: Node | undefined = node; current; current = current.parent) {
    if (is.isVariableDeclaration(current) && is.isIdentifier(current.name)) return current.name.text;
    if (is.isFunctionDeclaration(current) && current.name) return current.name.text;
  }
  return "?";
}

function check(name: string): { opened: OpenedFile; calls: OptionsCall[]; diagnostics: CompilerDiagnostic[] } {
  const opened = session.open(fixture(name));
  const calls = optionsCalls(opened);
  const diagnostics = calls.flatMap((call) => call());
  diagnostics.sort((a, b) => a.line - b.line || a.column - b.column);
  return { opened, calls, diagnostics };
}

/**
 * An expected diagnostic: on `line`, covering exactly the first `text` of that
 * line, or the part of it between « and » when the rest is there to find it.
 */
type Expected = [line: number, text: string, code: string, message: string | RegExp, severity?: "warning"];

describe("options aloft accepts", () => {
  it("stays silent on every valid form and on values the source does not pin down", () => {
    const { opened, calls, diagnostics } = check("valid.ts");
    assert.equal(calls.length, 34, "every option call of the fixture is checked");
    assert.deepEqual(diagnostics, []);
    // ...and the fixture is correct code: TypeScript finds nothing either.
    assert.deepEqual(opened.program.getSemanticDiagnostics(opened.file).map((d) => d.text), []);
  });
});

describe("options aloft rejects", () => {
  let opened: OpenedFile;
  let diagnostics: CompilerDiagnostic[];
  before(() => {
    ({ opened, diagnostics } = check("invalid.ts"));
  });

  const { unknown, invalid, quantity, retries, timeout, cacheVersion } = OPTION_CODES;
  const expected: Expected[] = [
    [11, "retrys", unknown, 'task "typo" has no option "retrys"; did you mean "retries"?'],
    [13, "cpus", unknown, 'task "nestedTypo" has no option "resources.cpus"; did you mean "resources.cpu"?'],
    [15, "cpu", unknown, 'task "misplaced" has no option "cpu"; did you mean "resources.cpu"?'],
    [17, "concurrency", unknown, '"concurrency" is an option of map(task, { ... })'],
    // TypeScript says nothing here: the options come from a variable.
    [18, "timout", unknown, 'task "typoInVariable" has no option "timout"; did you mean "timeout"?'],
    // Declared in another file: reported where it comes in.
    [20, "SHARED_TYPO", unknown, 'task "typoImported" has no option "retrys"'],

    [22, '"2 cores"', quantity, 'option "resources.cpu" of task "cpuWords" is "2 cores"; Kubernetes expects a CPU quantity like "500m", "2" or 1.5'],
    [23, '"-1"', quantity, "a CPU quantity cannot be negative"],
    [24, "0.0005", quantity, 'Kubernetes does not allow CPU finer than 1m (0.001 CPU): use "1m"'],
    // Kubernetes accepts a zero request: a warning, not an error.
    [25, "0", quantity, "a task with no CPU runs only on whatever is spare", "warning"],
    [26, '"500M"', quantity, /which is 500000000 CPUs.*write "500m"/, "warning"],
    [27, "BAD_CPU", quantity, 'option "resources.cpu" of task "cpuImported" is "2 cores"'],
    [28, "`2 cores`", quantity, 'option "resources.cpu" of task "cpuInConst" is "2 cores"'],
    [31, "`${CORES} cores`", quantity, 'is "2 cores"'],
    [35, "Cpu.Half", quantity, 'is "half"'],

    [37, '"2GB"', quantity, 'Kubernetes expects a memory quantity like "512Mi", "2Gi" or "1G"; did you mean "2G" or "2Gi"?'],
    [38, '"500m"', quantity, /0\.5 bytes; memory must be at least one byte; "m" means thousandths: for megabytes write "500M" or "500Mi"/],
    [39, '"0"', quantity, "a task with no memory cannot start", "warning"],
    [40, '"-1Gi"', quantity, "memory cannot be negative"],
    [41, '"1.1Gi"', quantity, /1181116006\.4 bytes; Kubernetes warns that a fractional byte value is invalid/, "warning"],
    [42, '"512"', quantity, /only 512 bytes.*did you mean "512Mi"/, "warning"],
    [44, "512", quantity, "is the number 512; write memory as a quantity string"],

    [46, "-1", retries, 'option "retries" of task "retriesNegative" is -1; it counts the attempts after the first, so it must be a whole number, 0 or more'],
    [47, "1.5", retries, "is 1.5; it counts the attempts after the first"],
    [49, '"2"', retries, 'is "2"; it must be a whole number of retries, 0 or more'],

    [52, "{ «cache»:", cacheVersion, 'option "cache" of task "cacheEmpty" has no version; caching needs one, like cache: { version: "1" }'],
    [53, '""', cacheVersion, 'option "cache.version" of task "cacheBlankVersion" is ""'],
    [55, "true", cacheVersion, 'option "cache" of task "cacheTrue" is true; it must be an object with a version'],
    [56, "versoin", unknown, 'task "cacheTypo" has no option "cache.versoin"; did you mean "cache.version"?'],
    [58, "{ «cache»:", cacheVersion, 'option "cache" of task "cacheTypo" has no version'],

    [60, '"5 minutes"', timeout, 'is "5 minutes"; aloft reads a duration as a number followed by ms, s, m or h'],
    [61, "0", timeout, "is 0; a timeout must be more than 0"],
    [62, '"0s"', timeout, 'is "0s"; a timeout must be longer than 0'],
    [63, "5 - 10", timeout, "is -5; a timeout must be more than 0"],
    [64, '"5M"', timeout, 'is "5M"; aloft reads a duration'],

    [66, "0.5", invalid, 'option "resources.gpu" of task "gpuFraction" is 0.5; GPUs are whole devices'],
    [67, "-1", invalid, "GPUs are whole devices, so it must be a whole number, 0 or more"],

    [69, "-1", invalid, 'option "reuse.replicas" of task "replicasNegative" is -1'],
    [70, "[4, 2]", invalid, "is [4, 2]; min must not be more than max"],
    [71, "-1", invalid, "has min -1; min must be a whole number, 0 or more"],
    [72, "-5", invalid, 'option "reuse.idleTimeout" of task "idleTimeoutNegative" is -5'],
    [74, '"yes"', invalid, 'option "interruptible" of task "interruptibleText" is "yes"; it must be true or false'],
    // Spread from a const in this file: reported where the value is written.
    [76, "-2", retries, 'option "retries" of task "spreadKeepsBadValue" is -2'],

    [79, "0", invalid, 'option "concurrency" of map over task "score" is 0; it is how many items run at once'],
    [80, "2.5", invalid, "is 2.5; it is how many items run at once"],
    [81, "Infinity", invalid, "is Infinity; it is how many items run at once, a whole number, 1 or more (leave it out for no limit)"],
    [82, "1.5", invalid, 'option "minSuccessRatio" of map over task "score" is 1.5; it is the fraction of items that must succeed, from 0 to 1'],
    [83, "-0.1", invalid, "is -0.1; it is the fraction"],
    [85, "concurency", unknown, 'map over task "score" has no option "concurency"; did you mean "concurrency"?'],
    [87, "retries", unknown, '"retries" is an option of task({ ... }, fn)'],
    [89, "shared.BAD_CPU", quantity, 'option "resources.cpu" of task "cpuFromNamespace" is "2 cores"'],
    // A member of an object const: reported inside that const.
    [90, '"tiny"', quantity, 'option "resources.cpu" of task "cpuFromConstMember" is "tiny"'],
  ];

  it("flags each broken rule once, on the offending key or value", () => {
    const lines = opened.text.split("\n");
    const where = (line: number, text: string) => {
      const [before = "", covered = text] = text.includes("«") ? text.split(/[«»]/) : [];
      const found = lines[line - 1]!.indexOf(text.replace(/[«»]/g, ""));
      assert.ok(found >= 0, `line ${line} of the fixture has no ${text}`);
      const column = found + before.length + 1;
      return `${line}:${column}-${line}:${column + covered.length}`;
    };
    assert.deepEqual(
      diagnostics.map((d) => `${d.line}:${d.column}-${d.endLine}:${d.endColumn} ${d.code} ${d.severity}`),
      expected.map(([line, text, code, , severity]) => `${where(line, text)} ${code} ${severity ?? "error"}`),
    );
  });

  it("says what is wrong in workflow terms, naming the entity and the option", () => {
    for (const [i, [line, , , message]] of expected.entries()) {
      const actual = diagnostics[i]!.message;
      if (typeof message === "string") assert.ok(actual.includes(message), `line ${line}: ${actual}`);
      else assert.match(actual, message, `line ${line}`);
    }
  });

  it("reports in the file being checked", () => {
    assert.ok(diagnostics.every((d) => d.file === fixture("invalid.ts")));
  });

  it("catches what TypeScript lets through: the fixture type-checks, `@ts-expect-error` marking what TypeScript rejects too", () => {
    assert.equal(opened.configFile, fixture("tsconfig.json"), "the fixture is checked with the project's compiler options");
    // An unused `@ts-expect-error` is itself an error, so every unmarked line above is one TypeScript accepts.
    const ofFile = [...opened.program.getSyntacticDiagnostics(opened.file), ...opened.program.getSemanticDiagnostics(opened.file)];
    assert.deepEqual(ofFile.map((d) => d.text), []);
    const unmarked = expected.filter(([line]) => !opened.text.split("\n")[line - 2]!.includes("@ts-expect-error"));
    assert.ok(unmarked.length > 30, "most of these mistakes are invisible to TypeScript");
  });
});

describe("closestName", () => {
  it("suggests a close option and nothing for a far one", () => {
    const options = ["retries", "timeout", "cache", "resources", "image", "reuse", "interruptible"];
    assert.equal(closestName("retrys", options), "retries");
    assert.equal(closestName("Timeout", options), "timeout");
    assert.equal(closestName("resouces", options), "resources");
    assert.equal(closestName("gpus", ["cpu", "memory", "gpu"]), "gpu");
    assert.equal(closestName("verison", ["version"]), "version");
    assert.equal(closestName("priority", options), undefined);
  });
});
