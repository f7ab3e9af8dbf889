/* SPDX-License-Identifier: MIT */
/*
 * mteprobe report --html: one page that needs nothing but itself (no
 * network, no external script, style or font): the runs, a heat map per
 * kernel and mode/fault kind whose cells show their cases on hover or click,
 * the kernels side by side with every change, and the findings. The cases
 * travel as JSON in a <script type="application/json">, escaped so that no
 * text ends it (json_text).
 */
#include <string.h>

#include "report-html.h"
#include "util.h"

/* The case fields a cell shows, in order. */
static const enum report_column case_cols[] = {
	COL_LEN, COL_FAULT_AT, COL_BUF_OFF, COL_STATE, COL_BACKING, COL_RESULT, COL_RET, COL_EXPECT,
	COL_DELTA, COL_ERRNO, COL_BYPASS, COL_DATA_OK, COL_OVERSHOOT, COL_RECOVERED, COL_FAULT_INS,
	COL_NOTE,
};

static void html(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: fputc(*s, f);
		}
	}
}

/* <tag>text</tag>, the text escaped. */
static void element(FILE *f, const char *tag, const char *text)
{
	fprintf(f, "<%s>", tag);
	html(f, text);
	fprintf(f, "</%s>", tag);
}

/* A grid line's name, escaped: "read buffered". */
static void line_name(FILE *f, const struct grid_line *l)
{
	html(f, l->syscall);
	fputc(' ', f);
	html(f, l->io);
}

/* A grid line's row starts with its name. */
static void line_start(FILE *f, const struct grid_line *l)
{
	fputs("<tr data-line=\"", f);
	line_name(f, l);
	fputs("\"><th>", f);
	line_name(f, l);
	fputs("</th>", f);
}

static const char style[] =
	"body{font:14px/1.4 system-ui,sans-serif;margin:1em 2em;color:#222}"
	"h2{border-bottom:1px solid #ccc;margin-top:2em}"
	"table{border-collapse:collapse;margin:.5em 0}"
	"th,td{border:1px solid #ddd;padding:2px 6px;text-align:left;white-space:nowrap}"
	"td.note{white-space:normal;max-width:40em}"
	"table.heat td{font-family:monospace;text-align:center;min-width:3em;cursor:pointer}"
	"td.empty{background:#fff;color:#bbb}table.heat td.empty{cursor:default}"
	"table.heat td.sel{outline:3px solid #000}"
	"table.side td.diff{outline:2px dashed #000}"
	"#tip{position:fixed;z-index:9;background:#fffff4;border:1px solid #888;padding:4px;"
	"max-width:60em;max-height:45vh;overflow:auto;box-shadow:2px 2px 6px #888;font-size:12px}"
	"#detail{position:sticky;bottom:0;background:#f7f7f7;border-top:2px solid #888;"
	"max-height:40vh;overflow:auto;padding:0 1em}"
	"div.g{display:inline-block;vertical-align:top;margin-right:2em}"
	".sw{display:inline-block;padding:0 .4em;margin:0 .2em;font-family:monospace}";

static const char script[] =
	"'use strict';\n"
	"const COLS = JSON.parse(document.getElementById('cols').textContent);\n"
	"const CELLS = JSON.parse(document.getElementById('cells').textContent);\n"
	"const tip = document.getElementById('tip');\n"
	"const detail = document.getElementById('detail');\n"
	"function caption(td) {\n"
	"  const t = td.closest('table'), tr = td.closest('tr');\n"
	"  return t.dataset.kernel + ': ' + tr.dataset.line + ' on ' + td.dataset.fs +\n"
	"    ', mode ' + t.dataset.mode + ', fault ' + t.dataset.fault;\n"
	"}\n"
	"function casesTable(cases) {\n"
	"  const t = document.createElement('table'), h = t.insertRow();\n"
	"  t.className = 'cases';\n"
	"  for (const c of COLS) { const th = document.createElement('th'); th.textContent = c; h.appendChild(th); }\n"
	"  for (const row of cases) {\n"
	"    const tr = t.insertRow();\n"
	"    row.forEach((v, i) => { const td = tr.insertCell(); td.textContent = v;\n"
	"      if (COLS[i] === 'note') td.className = 'note'; });\n"
	"  }\n"
	"  return t;\n"
	"}\n"
	"function show(el, td) {\n"
	"  const h = document.createElement('div');\n"
	"  h.textContent = caption(td) + ' (' + CELLS[td.dataset.cell].length + ' cases)';\n"
	"  el.replaceChildren(h, casesTable(CELLS[td.dataset.cell]));\n"
	"}\n"
	"function cellOf(e) { return e.target.closest ? e.target.closest('td[data-cell]') : null; }\n"
	"document.addEventListener('mouseover', e => {\n"
	"  const td = cellOf(e);\n"
	"  if (tip.contains(e.target)) return;\n"
	"  if (!td) { tip.hidden = true; return; }\n"
	"  show(tip, td);\n"
	"  tip.hidden = false;\n"
	"  const r = td.getBoundingClientRect();\n"
	"  tip.style.left = Math.max(0, Math.min(r.left, window.innerWidth - tip.offsetWidth - 8)) + 'px';\n"
	"  tip.style.top = (r.bottom + 4 + tip.offsetHeight < window.innerHeight ? r.bottom + 4 :\n"
	"    Math.max(0, r.top - tip.offsetHeight - 4)) + 'px';\n"
	"});\n"
	"function pick(td) {\n"
	"  for (const s of document.querySelectorAll('td.sel')) s.classList.remove('sel');\n"
	"  td.classList.add('sel');\n"
	"  show(detail, td);\n"
	"  detail.hidden = false;\n"
	"}\n"
	"document.addEventListener('click', e => { const td = cellOf(e); if (td) pick(td); });\n"
	"document.addEventListener('keydown', e => {\n"
	"  const td = cellOf(e);\n"
	"  if (td && (e.key === 'Enter' || e.key === ' ')) { e.preventDefault(); pick(td); }\n"
	"});\n";

/* Cells get numbers in the order they are written; the same walk writes
 * their cases. */
struct cell_ids {
	size_t next;
};

static void heat_table(FILE *f, const struct grid *g, size_t s, const char *kernel,
		       struct cell_ids *ids)
{
	char text[64];

	fputs("<table class=\"heat\" data-kernel=\"", f);
	html(f, kernel);
	fputs("\" data-mode=\"", f);
	html(f, g->mode);
	fputs("\" data-fault=\"", f);
	html(f, g->fault);
	fputs("\"><tr><th>syscall, I/O</th>", f);
	for (size_t fs = 0; fs < g->nfs; fs++)
		element(f, "th", g->fs[fs]);
	fputs("</tr>\n", f);
	for (size_t l = 0; l < g->nline; l++) {
		line_start(f, &g->line[l]);
		for (size_t fs = 0; fs < g->nfs; fs++) {
			const struct grid_cell *c = grid_cell(g, l, fs, s);

			if (!c->n) {
				fputs("<td class=\"empty\">.</td>", f);
				continue;
			}
			cell_summary(c, CELL_COUNTS, text, sizeof(text));
			fprintf(f, "<td class=\"k%d\" tabindex=\"0\" data-cell=\"%zu\" data-fs=\"",
				c->worst, ids->next++);
			html(f, g->fs[fs]);
			fputs("\">", f);
			html(f, text);
			fputs("</td>", f);
		}
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
}

/* The cases of every cell, in heat_table's order. */
static void cells_json(FILE *f, const struct report_data *d)
{
	bool first_cell = true;

	fputs("<script id=\"cells\" type=\"application/json\">[", f);
	for (size_t s = 0; s < d->nset; s++) {
		for (size_t gi = 0; gi < d->grids.n; gi++) {
			const struct grid *g = &d->grids.g[gi];

			for (size_t l = 0; l < g->nline; l++) {
				for (size_t fs = 0; fs < g->nfs; fs++) {
					const struct grid_cell *c = grid_cell(g, l, fs, s);

					if (!c->n)
						continue;
					fputs(first_cell ? "\n[" : ",\n[", f);
					first_cell = false;
					for (size_t i = 0; i < c->n; i++) {
						fputs(i ? ",[" : "[", f);
						for (size_t k = 0; k < ARRAY_SIZE(case_cols); k++) {
							if (k)
								fputc(',', f);
							json_text(f, c->rows[i]->v[case_cols[k]]);
						}
						fputc(']', f);
					}
					fputc(']', f);
				}
			}
		}
	}
	fputs("]</script>\n<script id=\"cols\" type=\"application/json\">[", f);
	for (size_t k = 0; k < ARRAY_SIZE(case_cols); k++) {
		if (k)
			fputc(',', f);
		json_text(f, report_columns[case_cols[k]]);
	}
	fputs("]</script>\n", f);
}

/* The kernels side by side: each cell's worst class per kernel, dashed
 * where they differ. */
static void side_table(FILE *f, const struct report_data *d, const struct grid *g)
{
	fputs("<table class=\"side\"><tr><th rowspan=\"2\">syscall, I/O</th>", f);
	for (size_t fs = 0; fs < g->nfs; fs++) {
		fprintf(f, "<th colspan=\"%zu\">", d->nset);
		html(f, g->fs[fs]);
		fputs("</th>", f);
	}
	fputs("</tr><tr>", f);
	for (size_t fs = 0; fs < g->nfs; fs++)
		for (size_t s = 0; s < d->nset; s++)
			element(f, "th", d->sets[s].label);
	fputs("</tr>\n", f);
	for (size_t l = 0; l < g->nline; l++) {
		line_start(f, &g->line[l]);
		for (size_t fs = 0; fs < g->nfs; fs++) {
			bool differ = false;
			char text[64];

			for (size_t s = 1; s < d->nset; s++)
				differ |= grid_cell(g, l, fs, s)->worst != grid_cell(g, l, fs, 0)->worst ||
					  grid_cell(g, l, fs, s)->n != grid_cell(g, l, fs, 0)->n;
			for (size_t s = 0; s < d->nset; s++) {
				const struct grid_cell *c = grid_cell(g, l, fs, s);

				if (!cell_summary(c, CELL_WORST_COUNT, text, sizeof(text))) {
					fputs("<td class=\"empty\">.</td>", f);
					continue;
				}
				fprintf(f, "<td class=\"k%d%s\">%s</td>", c->worst, differ ? " diff" : "",
					text);
			}
		}
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
}

static void row_cells(FILE *f, const struct result_row *r, const enum report_column *cols, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		fputs(cols[k] == COL_NOTE ? "<td class=\"note\">" : "<td>", f);
		html(f, r->v[cols[k]]);
		fputs("</td>", f);
	}
}

static void changes_table(FILE *f, const struct report_data *d, size_t s)
{
	const struct comparison *c = &d->cmp[s];
	const enum report_column *case_key;
	size_t nkey;
	char out[256];

	fputs("<h3>", f);
	html(f, d->sets[s].label);
	fputs(" &rarr; ", f);
	html(f, d->sets[s + 1].label);
	fprintf(f, "</h3>\n<p class=\"summary\">%zu regressions, %zu improvements, %zu neutral, "
		"%zu unchanged; %zu only in the first, %zu only in the second.</p>\n",
		c->count[CHANGE_REGRESSION], c->count[CHANGE_IMPROVEMENT], c->count[CHANGE_NEUTRAL],
		c->count[CHANGE_NONE], c->only_old, c->only_new);
	if (!c->n)
		return;
	nkey = case_key_columns(&case_key);
	fputs("<table class=\"changes\"><tr><th>change</th>", f);
	for (size_t k = 0; k < nkey; k++)
		fprintf(f, "<th>%s</th>", report_columns[case_key[k]]);
	fputs("<th>before</th><th>after</th><th>why</th></tr>\n", f);
	for (size_t i = 0; i < c->n; i++) {
		const struct change *ch = &c->c[i];

		fprintf(f, "<tr class=\"%s\"><td>%s</td>", !ch->old ? "only-new" : !ch->new ? "only-old" :
			change_class_names[ch->cls], !ch->old ? "only after" : !ch->new ? "only before" :
			change_class_names[ch->cls]);
		row_cells(f, ch->new ? ch->new : ch->old, case_key, nkey);
		for (int side = 0; side < 2; side++) {
			const struct result_row *r = side ? ch->new : ch->old;

			fputs("<td>", f);
			if (r) {
				row_outcome_text(r, out, sizeof(out));
				html(f, out);
			}
			fputs("</td>", f);
		}
		fputs("<td>", f);
		for (unsigned k = 0; k < CR_COUNT; k++)
			if ((ch->worse | ch->better) & CR_BIT(k))
				fprintf(f, "%s; ", change_reason(k, ch->worse & CR_BIT(k)));
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
}

static void findings(FILE *f, const struct report_data *d)
{
	static const enum report_column cols[] = {
		COL_FS, COL_SYSCALL, COL_IO, COL_MODE, COL_FAULT, COL_LEN, COL_FAULT_AT, COL_BUF_OFF,
		COL_STATE, COL_BACKING, COL_RESULT, COL_RET, COL_ERRNO, COL_DELTA, COL_OVERSHOOT,
		COL_DATA_OK, COL_BYPASS, COL_RECOVERED, COL_FAULT_INS, COL_NOTE,
	};

	fputs("<h2 id=\"findings\">Findings</h2>\n", f);
	for (int fi = 0; fi < FIND_COUNT; fi++) {
		size_t n = 0;

		for (size_t s = 0; s < d->nset; s++)
			for (size_t i = 0; i < d->sets[s].nrow; i++)
				n += !!(row_findings(&d->sets[s].row[i]) & FIND_BIT(fi));
		fprintf(f, "<h3>%s: %zu</h3>\n", finding_titles[fi], n);
		if (!n)
			continue;
		fprintf(f, "<table class=\"finding\" data-finding=\"%d\"><tr><th>kernel</th>", fi);
		for (size_t k = 0; k < ARRAY_SIZE(cols); k++)
			fprintf(f, "<th>%s</th>", report_columns[cols[k]]);
		fputs("</tr>\n", f);
		for (size_t s = 0; s < d->nset; s++) {
			for (size_t i = 0; i < d->sets[s].nrow; i++) {
				const struct result_row *r = &d->sets[s].row[i];

				if (!(row_findings(r) & FIND_BIT(fi)))
					continue;
				fputs("<tr>", f);
				element(f, "td", d->sets[s].label);
				row_cells(f, r, cols, ARRAY_SIZE(cols));
				fputs("</tr>\n", f);
			}
		}
		fputs("</table>\n", f);
	}
}

static void grid_heading(FILE *f, const struct grid *g)
{
	fputs("<h4>mode ", f);
	html(f, g->mode);
	fputs(", fault ", f);
	html(f, g->fault);
	fputs("</h4>\n", f);
}

void report_html(FILE *f, const struct report_data *d)
{
	struct cell_ids ids = { 0 };

	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n"
	      "<title>mteprobe report</title>\n<style>", f);
	fputs(style, f);
	for (int k = 0; k < RCLASS_COUNT; k++)
		fprintf(f, ".k%d{background:%s%s}", k, row_classes[k].css,
			row_classes[k].dark ? ";color:#fff" : "");
	fputs("</style></head><body>\n<h1>mteprobe report</h1>\n<table class=\"runs\"><tr><th>kernel</th>"
	      "<th>file</th><th>arch</th><th>schema</th><th>cases</th></tr>\n", f);
	for (size_t s = 0; s < d->nset; s++) {
		fputs("<tr>", f);
		element(f, "td", d->sets[s].label);
		element(f, "td", d->sets[s].path);
		element(f, "td", d->sets[s].arch);
		fprintf(f, "<td>%d</td><td>%zu</td></tr>\n", d->sets[s].schema, d->sets[s].nrow);
	}
	fputs("</table>\n<p>Cells: the cases behind each cell by class, worst first; hover for the "
	      "cases, click to keep them below. Letters:", f);
	for (int k = 0; k < RCLASS_COUNT; k++)
		fprintf(f, " <span class=\"sw k%d\">%c</span>%s", k, row_classes[k].code,
			row_classes[k].name);
	fputs(".</p>\n<p><a href=\"#findings\">Findings</a>", f);
	if (d->nset > 1)
		fputs(" &middot; <a href=\"#kernels\">Kernels compared</a>", f);
	fputs("</p>\n", f);
	for (size_t s = 0; s < d->nset; s++) {
		element(f, "h2", d->sets[s].label);
		for (size_t g = 0; g < d->grids.n; g++) {
			fputs("<div class=\"g\">", f);
			grid_heading(f, &d->grids.g[g]);
			heat_table(f, &d->grids.g[g], s, d->sets[s].label, &ids);
			fputs("</div>\n", f);
		}
	}
	if (d->nset > 1) {
		fputs("<h2 id=\"kernels\">Kernels compared</h2>\n<p>The worst class of each cell and "
		      "how many cases have it, per kernel; dashed where the kernels differ.</p>\n", f);
		for (size_t g = 0; g < d->grids.n; g++) {
			grid_heading(f, &d->grids.g[g]);
			side_table(f, d, &d->grids.g[g]);
		}
		for (size_t s = 0; s + 1 < d->nset; s++)
			changes_table(f, d, s);
	}
	findings(f, d);
	fputs("<div id=\"tip\" hidden></div>\n<div id=\"detail\" hidden></div>\n", f);
	cells_json(f, d);
	fputs("<script>\n", f);
	fputs(script, f);
	fputs("</script>\n</body></html>\n", f);
}
