/** Reading a `Pulumi.<stack>.yaml` as the offline harness and the plan see it. */
import { isScalar, parseDocument, visit } from "yaml";
import { StackFileError } from "../lib/configErrors";

/** Parsed stack files by content: tests read the same two files hundreds of times. Callers get a copy. */
const parsedStackFiles = new Map<string, unknown>();

/**
 * Parses a stack file: a syntax error becomes a `StackFileError` (file, line, column, the offending
 * line); `.inf` and `.nan` stay as written (JSON, which Pulumi hands values over in, has no such numbers).
 */
export function parseStackYaml(file: string, text: string): unknown {
    const key = `${file}\0${text}`;
    if (!parsedStackFiles.has(key)) {
        parsedStackFiles.set(key, parseStackYamlUncached(file, text));
    }
    return structuredClone(parsedStackFiles.get(key));
}

function parseStackYamlUncached(file: string, text: string): unknown {
    const doc = parseDocument(text, { prettyErrors: false });
    const error = doc.errors[0];
    if (error) {
        const before = text.slice(0, error.pos[0]);
        const [line, col] = [before.split("\n").length, error.pos[0] - before.lastIndexOf("\n")];
        throw new StackFileError(file, line, col, error.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, ""), text);
    }
    visit(doc, {
        Scalar(_key, node) {
            if (isScalar(node) && typeof node.value === "number" && !Number.isFinite(node.value)) {
                node.value = node.source ?? String(node.value);
            }
        },
    });
    return doc.toJS();
}
