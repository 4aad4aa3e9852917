/*
 * Prints the text of each page of a PDF and the first page's size as JSON
 * (pdf.js through unpdf). Run as its own process by pdf-text.ts: pdf.js is an
 * ECMAScript module that jest's CommonJS sandbox cannot import.
 */
import { readFileSync } from 'node:fs';
import process from 'node:process';
import { extractText, getDocumentProxy } from 'unpdf';

const pdf = await getDocumentProxy(new Uint8Array(readFileSync(process.argv[2])));
const { text } = await extractText(pdf, { mergePages: false });
const [, , width, height] = (await pdf.getPage(1)).view;
process.stdout.write(JSON.stringify({ pages: text.map((t) => t.replace(/\s+/g, ' ').trim()), width, height }));
