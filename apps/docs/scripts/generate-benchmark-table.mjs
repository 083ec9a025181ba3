// Turns a recorded `pnpm bench` output (data/bench-output.txt, made by record-benchmarks.mjs)
// into Markdown tables: one per benchmark script, one row per measured line.
import { readFile, writeFile } from 'node:fs/promises';

const MEASURE = /^(\s*)(.+?)(?::\s*|\s{2,})(\d[\d.,]*)\s*(ms|s|MB|KB|×)?\s*$/;

function escape(text) {
  return text.replaceAll('|', '\\|').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** Parses the recorded output into a header (the `#` lines) and one section per `== script`. */
export function parseBenchOutput(text) {
  const header = [];
  const sections = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('# ')) header.push(line.slice(2));
    else if (line.startsWith('== ')) sections.push({ script: line.slice(3).trim(), lines: [] });
    else if (sections.length > 0 && line.trim() !== '') sections.at(-1).lines.push(line);
  }
  return { header, sections };
}

/** Renders the parsed output as Markdown. */
export function renderBenchmarkTable({ header, sections }) {
  const out = [];
  if (header.length > 0) out.push(...header.map((line) => `- ${escape(line)}`), '');
  for (const section of sections) {
    out.push(`### \`${section.script}\``, '');
    let group = '';
    const rows = [];
    const notes = [];
    for (const line of section.lines) {
      const match = MEASURE.exec(line);
      if (match) {
        rows.push(
          `| ${escape(group)} | ${escape(match[2].trim())} | ${match[3]}${match[4] ? ` ${match[4]}` : ''} |`,
        );
      } else if (line.trim().endsWith(':')) {
        group = line.trim().slice(0, -1); // a heading such as `  nearest:` names the rows below it
      } else {
        notes.push(line.trim());
        group = '';
      }
    }
    if (notes.length > 0) out.push(...notes.map((note) => `- ${escape(note)}`), '');
    if (rows.length > 0) out.push('| case | measure | value |', '| --- | --- | --- |', ...rows, '');
    out.push(
      '<details><summary>raw output</summary>',
      '',
      '```text',
      ...section.lines,
      '```',
      '',
      '</details>',
      '',
    );
  }
  return out.join('\n');
}

/** Reads `inputFile` and writes the tables to `outputFile`. */
export async function writeBenchmarkTable(inputFile, outputFile) {
  const text = await readFile(inputFile, 'utf8');
  await writeFile(outputFile, renderBenchmarkTable(parseBenchOutput(text)));
}
