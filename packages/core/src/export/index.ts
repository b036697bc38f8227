// Export of issues and their events: data pages (for JSON) and Markdown.
export { exportPage, type ExportOptions, type ExportPage } from './export.js';
export { exportMarkdown, type MarkdownOptions } from './markdown.js';
