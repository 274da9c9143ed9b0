import { AsyncLocalStorage } from 'node:async_hooks';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { formatterFor as registeredFormatter } from '../../src/output/index.js';
import { jsFormatter } from '../../src/output/js-formatter.js';
import { jsonFormatter } from '../../src/output/json-formatter.js';
import type { RenderContext, WcapResult } from '../../src/wcap/result.js';
import type { FormatterLookup } from '../../src/wcap/run-command.js';
import { loadJsAnswer } from './js-answer.js';
import { childElements, parseXml, textContent, type ParsedElement } from './parse-xml.js';

/**
 * Every golden case in all four formats (docs/architecture.md#testing). A golden test asks for
 * text/calendar or text/xml; the golden gateway records what the pipeline rendered (the
 * format-neutral result and the request's render context), and {@link matchGolden} writes the
 * answer's golden plus, from the same result, the answer the gateway gives to the same request
 * with fmt-out=text/js (beside each `.ics`) or text/json (beside each `.xml`). The pipeline does
 * everything before rendering the same way whatever the format, so these are exactly the text/js
 * and text/json answers (test/golden/js-json.golden.test.ts proves it on live requests). Every
 * file is parsed back: text/js run in node:vm and its `data[]` equal to the text/calendar answer,
 * the JSON equal element for element to the XML answer.
 */

export interface Rendering {
  result: WcapResult;
  context: RenderContext | undefined;
}

interface Slot {
  renders: Rendering[];
  unknownFormat: boolean;
}

/** A fmt-out lookup that records renders of requests made inside {@link GoldenRecorder.run}. */
export class GoldenRecorder {
  private readonly slots = new AsyncLocalStorage<Slot>();

  readonly formatterFor: FormatterLookup = (fmtOut) => {
    const formatter = registeredFormatter(fmtOut);
    const slot = this.slots.getStore();
    if (!formatter) {
      if (slot) slot.unknownFormat = true;
      return undefined;
    }
    // Streamed answers (export) are not recorded: they exist only in text/calendar and text/xml.
    return {
      name: formatter.name,
      render: (result, context) => {
        slot?.renders.push({ result, context });
        return formatter.render(result, context);
      },
      ...(formatter.renderStreamed ? { renderStreamed: formatter.renderStreamed.bind(formatter) } : {}),
    };
  };

  /** Runs one request; returns what it rendered when it rendered exactly one answer in a known format. */
  async run<T>(request: () => Promise<T>): Promise<{ value: T; rendering: Rendering | undefined }> {
    const slot: Slot = { renders: [], unknownFormat: false };
    const value = await this.slots.run(slot, request);
    return { value, rendering: !slot.unknownFormat && slot.renders.length === 1 ? slot.renders[0] : undefined };
  }
}

const GOLDEN_DIR = new URL('../golden/__golden__/', import.meta.url);

/** The golden file `name` in test/golden/__golden__/. */
export function goldenPath(name: string): string {
  return fileURLToPath(new URL(name, GOLDEN_DIR));
}

/** What {@link matchGolden} needs of an answer (a GoldenAnswer). */
export interface RecordedAnswer {
  body: string;
  rendering?: Rendering | undefined;
}

/**
 * Compares `answer` (normalised) with golden `name` (`x.ics` or `x.xml`) and, for an answer whose
 * rendering was recorded, its text/js twin `x.js` (beside `.ics`) or text/json twin `x.json`
 * (beside `.xml`), each checked against the answer it was derived from.
 */
export async function matchGolden(answer: RecordedAnswer, name: string, normalise: (body: string) => string): Promise<void> {
  await expect(normalise(answer.body)).toMatchFileSnapshot(goldenPath(name));
  const rendering = answer.rendering;
  if (!rendering) return;
  if (name.endsWith('.ics')) {
    const js = jsFormatter.render(rendering.result, rendering.context).body;
    checkJsAgainstIcs(js, answer.body, rendering.context);
    await expect(normalise(js)).toMatchFileSnapshot(goldenPath(name.replace(/\.ics$/, '.js')));
  } else if (name.endsWith('.xml')) {
    const json = jsonFormatter.render(rendering.result, rendering.context).body;
    expect(JSON.parse(json)).toEqual(xmlAsJson(answer.body));
    await expect(normalise(json)).toMatchFileSnapshot(goldenPath(name.replace(/\.xml$/, '.json')));
  }
}

/**
 * A text/js page agrees with the text/calendar answer of the same request: its `data[]` are that
 * answer's VCALENDARs, its `layer_errno[]` their errnos, `errno[0]` the first one.
 */
export function checkJsAgainstIcs(js: string, ics: string, context: RenderContext | undefined): void {
  const { vars } = loadJsAnswer(js);
  const data = vars.data as string[];
  if (!context?.brief && !context?.dataAsXml) expect(data.join('')).toBe(ics);
  const errnos = [...ics.matchAll(/^X-NSCP-WCAP-ERRNO:(-?\d+)\r$/gm)].map((m) => Number(m[1]));
  expect(vars.layer_errno).toEqual(errnos);
  expect((vars.errno as number[])[0]).toBe(errnos[0]);
}

/**
 * The JSON the gateway's text/json rules (docs/json-format.md) give for an XML answer, computed
 * from the parsed XML: an independent reading of the XML that the JSON answer must equal.
 */
export function xmlAsJson(xml: string): unknown {
  const root = parseXml(xml).root;
  return { [root.name]: container(root) };
}

function container(element: ParsedElement): Record<string, unknown> {
  const node: Record<string, unknown> = { ...element.attributes };
  for (const child of childElements(element)) {
    const list = (node[child.name] ??= []) as unknown[];
    list.push(childElements(child).length > 0 ? container(child) : { value: textContent(child), ...child.attributes });
  }
  return node;
}
