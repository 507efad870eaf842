package document

import (
	"fmt"
	"html"
	"strings"
)

// Doc is a report as a list of blocks, rendered both as Markdown
// (Markdown) and as a self-contained HTML page (HTML). Text in blocks is
// plain text in which `backquoted` spans are code; nothing else is markup,
// so the same text renders the same in both formats.
type Doc struct {
	// Title is the page title and the first heading.
	Title string
	// Blocks are rendered in order.
	Blocks []Block
}

// Block is one element of a Doc: Heading, Para, List, Table, Figure,
// FigureRow, Code or Details.
type Block interface {
	markdown(b *strings.Builder)
	html(b *strings.Builder)
}

// Add appends blocks to the document.
func (d *Doc) Add(blocks ...Block) { d.Blocks = append(d.Blocks, blocks...) }

// Heading is a section title; Level 2 is a section, 3 a subsection.
type Heading struct {
	Level int
	Text  string
}

// Para is a paragraph of text.
type Para struct{ Text string }

// List is a bulleted list; each item is text.
type List struct{ Items []string }

// Code is a preformatted block (commands, logs).
type Code struct{ Text string }

// Table is a table with a header row. Numeric columns are right-aligned
// when Right marks them (by column index).
type Table struct {
	Caption string
	Header  []string
	Rows    [][]string
	Right   map[int]bool
}

// Figure is an image file, linked by a path relative to the report.
type Figure struct {
	Path    string
	Caption string
	// Width is the displayed width in CSS pixels in HTML (0 = natural,
	// limited to the page width).
	Width int
}

// FigureRow shows several figures side by side (HTML) or one after the
// other (Markdown).
type FigureRow struct{ Figures []Figure }

// Details is a block folded under a summary line (HTML details element,
// which Markdown renderers such as GitHub's also show folded).
type Details struct {
	Summary string
	Blocks  []Block
}

// Markdown renders the document as GitHub-flavoured Markdown.
func (d *Doc) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n", d.Title)
	for _, bl := range d.Blocks {
		bl.markdown(&b)
	}
	return b.String()
}

// HTML renders the document as one HTML page with its style inline: no
// script, no external resource other than the figures next to it.
func (d *Doc) HTML() string {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
	b.WriteString("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
	fmt.Fprintf(&b, "<title>%s</title>\n<style>\n%s</style>\n</head>\n<body>\n", html.EscapeString(d.Title), pageCSS)
	fmt.Fprintf(&b, "<h1>%s</h1>\n", inlineHTML(d.Title))
	for _, bl := range d.Blocks {
		bl.html(&b)
	}
	b.WriteString("</body>\n</html>\n")
	return b.String()
}

const pageCSS = `body { font-family: sans-serif; max-width: 1400px; margin: 1em auto; padding: 0 1em; color: #222; line-height: 1.4; }
table { border-collapse: collapse; margin: 0.5em 0 1em; font-size: 0.9em; }
th, td { border: 1px solid #bbb; padding: 0.2em 0.5em; }
th { background: #eee; }
td.r { text-align: right; font-variant-numeric: tabular-nums; }
caption { caption-side: top; text-align: left; font-weight: bold; padding: 0.2em 0; }
figure { display: inline-block; margin: 0.5em; vertical-align: top; }
figure img { max-width: 100%; border: 1px solid #ddd; }
figcaption { font-size: 0.85em; color: #444; max-width: 640px; }
pre { background: #f4f4f4; padding: 0.6em; overflow-x: auto; }
code { background: #f4f4f4; padding: 0 0.2em; }
details { margin: 0.4em 0; }
summary { cursor: pointer; font-weight: bold; }
`

// inlineHTML escapes text and turns `code` spans into code elements.
func inlineHTML(s string) string {
	parts := strings.Split(s, "`")
	var b strings.Builder
	for i, p := range parts {
		e := html.EscapeString(p)
		// An unmatched last backquote stays literal.
		if i%2 == 1 && i < len(parts)-1 {
			b.WriteString("<code>" + e + "</code>")
			continue
		}
		if i%2 == 1 {
			b.WriteString("`")
		}
		b.WriteString(e)
	}
	return b.String()
}

// mdCell makes text safe inside a Markdown table cell.
func mdCell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.ReplaceAll(s, "\n", " ")
}

func (h Heading) markdown(b *strings.Builder) {
	lv := min(max(h.Level, 2), 6)
	fmt.Fprintf(b, "%s %s\n\n", strings.Repeat("#", lv), h.Text)
}

func (h Heading) html(b *strings.Builder) {
	lv := min(max(h.Level, 2), 6)
	fmt.Fprintf(b, "<h%d>%s</h%d>\n", lv, inlineHTML(h.Text), lv)
}

func (p Para) markdown(b *strings.Builder) { fmt.Fprintf(b, "%s\n\n", p.Text) }
func (p Para) html(b *strings.Builder)     { fmt.Fprintf(b, "<p>%s</p>\n", inlineHTML(p.Text)) }

func (l List) markdown(b *strings.Builder) {
	for _, it := range l.Items {
		fmt.Fprintf(b, "- %s\n", strings.ReplaceAll(it, "\n", "\n  "))
	}
	b.WriteString("\n")
}

func (l List) html(b *strings.Builder) {
	b.WriteString("<ul>\n")
	for _, it := range l.Items {
		fmt.Fprintf(b, "<li>%s</li>\n", inlineHTML(it))
	}
	b.WriteString("</ul>\n")
}

func (c Code) markdown(b *strings.Builder) {
	fmt.Fprintf(b, "```\n%s\n```\n\n", strings.TrimRight(c.Text, "\n"))
}

func (c Code) html(b *strings.Builder) {
	fmt.Fprintf(b, "<pre>%s</pre>\n", html.EscapeString(strings.TrimRight(c.Text, "\n")))
}

func (t Table) markdown(b *strings.Builder) {
	if t.Caption != "" {
		fmt.Fprintf(b, "**%s**\n\n", t.Caption)
	}
	b.WriteString("|")
	for _, h := range t.Header {
		fmt.Fprintf(b, " %s |", mdCell(h))
	}
	b.WriteString("\n|")
	for i := range t.Header {
		if t.Right[i] {
			b.WriteString("---:|")
		} else {
			b.WriteString("---|")
		}
	}
	b.WriteString("\n")
	for _, row := range t.Rows {
		b.WriteString("|")
		for i := range t.Header {
			c := ""
			if i < len(row) {
				c = row[i]
			}
			fmt.Fprintf(b, " %s |", mdCell(c))
		}
		b.WriteString("\n")
	}
	b.WriteString("\n")
}

func (t Table) html(b *strings.Builder) {
	b.WriteString("<table>\n")
	if t.Caption != "" {
		fmt.Fprintf(b, "<caption>%s</caption>\n", inlineHTML(t.Caption))
	}
	b.WriteString("<tr>")
	for _, h := range t.Header {
		fmt.Fprintf(b, "<th>%s</th>", inlineHTML(h))
	}
	b.WriteString("</tr>\n")
	for _, row := range t.Rows {
		b.WriteString("<tr>")
		for i := range t.Header {
			c := ""
			if i < len(row) {
				c = row[i]
			}
			if t.Right[i] {
				fmt.Fprintf(b, "<td class=\"r\">%s</td>", inlineHTML(c))
			} else {
				fmt.Fprintf(b, "<td>%s</td>", inlineHTML(c))
			}
		}
		b.WriteString("</tr>\n")
	}
	b.WriteString("</table>\n")
}

func (f Figure) markdown(b *strings.Builder) {
	fmt.Fprintf(b, "![%s](%s)\n\n", mdAlt(f.Caption), mdPath(f.Path))
	if f.Caption != "" {
		fmt.Fprintf(b, "*%s*\n\n", f.Caption)
	}
}

func (f Figure) html(b *strings.Builder) {
	w := ""
	if f.Width > 0 {
		w = fmt.Sprintf(" width=\"%d\"", f.Width)
	}
	p := html.EscapeString(urlPath(f.Path))
	fmt.Fprintf(b, "<figure><a href=\"%s\"><img src=\"%s\" alt=\"%s\"%s></a>", p, p, html.EscapeString(f.Caption), w)
	if f.Caption != "" {
		fmt.Fprintf(b, "<figcaption>%s</figcaption>", inlineHTML(f.Caption))
	}
	b.WriteString("</figure>\n")
}

func (r FigureRow) markdown(b *strings.Builder) {
	for _, f := range r.Figures {
		f.markdown(b)
	}
}

func (r FigureRow) html(b *strings.Builder) {
	b.WriteString("<div>\n")
	for _, f := range r.Figures {
		f.html(b)
	}
	b.WriteString("</div>\n")
}

func (d Details) markdown(b *strings.Builder) {
	fmt.Fprintf(b, "<details><summary>%s</summary>\n\n", html.EscapeString(d.Summary))
	for _, bl := range d.Blocks {
		bl.markdown(b)
	}
	b.WriteString("</details>\n\n")
}

func (d Details) html(b *strings.Builder) {
	fmt.Fprintf(b, "<details><summary>%s</summary>\n", inlineHTML(d.Summary))
	for _, bl := range d.Blocks {
		bl.html(b)
	}
	b.WriteString("</details>\n")
}

// mdAlt makes a caption safe as Markdown image alt text.
func mdAlt(s string) string {
	return strings.NewReplacer("[", "(", "]", ")", "\n", " ").Replace(s)
}

// mdPath and urlPath write a relative file path as a link target:
// forward slashes, spaces and parentheses escaped.
func mdPath(p string) string { return urlPath(p) }

func urlPath(p string) string {
	p = strings.ReplaceAll(p, "\\", "/")
	return strings.NewReplacer(" ", "%20", "(", "%28", ")", "%29", "+", "%2B").Replace(p)
}
