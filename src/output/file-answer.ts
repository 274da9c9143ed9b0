import type { Answer, FileAnswer, Formatter, RenderContext, WcapResult } from '../wcap/result.js';

/**
 * Any result in a format: a file (fetchattachment) as itself, a result with streamed components
 * (export) through the format's streaming renderer, anything else rendered whole. A format that
 * cannot stream renders a streamed result as an error: commands only stream in formats they
 * accept (export: text/calendar and text/xml).
 */
export function answerIn(formatter: Formatter, result: WcapResult, context?: RenderContext): Answer {
  if (result.file) return fileAnswer(result.file);
  const streamed = result.blocks.some((block) => block.streamed !== undefined);
  if (streamed && !formatter.renderStreamed) throw new TypeError(`${formatter.name} cannot stream an answer`);
  const answer: Answer = streamed ? formatter.renderStreamed!(result) : formatter.render(result, context);
  if (result.saveAs === undefined) return answer;
  const extension = formatter.name === 'text/xml' ? 'xml' : 'ics';
  return { ...answer, headers: { ...answer.headers, 'Content-Disposition': `attachment; filename="${result.saveAs}.${extension}"` } };
}

/**
 * A stored attachment as its bytes. Its type comes from calendar data anyone with write access
 * wrote, so the browser is told to save it rather than show it (Content-Disposition: attachment)
 * and, should it show it anyway, to run nothing of it (CSP sandbox); nosniff is on every answer.
 */
function fileAnswer(file: FileAnswer): Answer {
  return {
    contentType: file.contentType,
    body: file.bytes,
    headers: {
      'Content-Disposition': `attachment; filename="${asciiName(file.filename)}"; filename*=UTF-8''${encodeURIComponent(file.filename)}`,
      'Content-Security-Policy': "sandbox; default-src 'none'",
    },
  };
}

/** The name for the plain `filename` parameter: printable ASCII without quotes or backslashes. */
function asciiName(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return ascii === '' ? 'attachment' : ascii;
}
