package document

import (
	"strings"
	"testing"
)

func TestDocRendering(t *testing.T) {
	d := &Doc{Title: "T <1>"}
	d.Add(
		Heading{Level: 2, Text: "Section `a<b`"},
		Para{Text: "x < y & `z|w`"},
		List{Items: []string{"one", "two"}},
		Table{Caption: "cap", Header: []string{"name", "value"}, Rows: [][]string{{"a|b", "1.5"}, {"c"}}, Right: map[int]bool{1: true}},
		Figure{Path: "figures/a b.png", Caption: "fig [1]", Width: 300},
		Details{Summary: "more", Blocks: []Block{Code{Text: "lsconf repro --out x\n"}}},
	)
	md := d.Markdown()
	for _, want := range []string{
		"# T <1>\n", "## Section `a<b`\n", "x < y & `z|w`\n", "- one\n- two\n",
		"| name | value |\n|---|---:|\n| a\\|b | 1.5 |\n| c |  |\n",
		"![fig (1)](figures/a%20b.png)", "<details><summary>more</summary>", "```\nlsconf repro --out x\n```",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	h := d.HTML()
	for _, want := range []string{
		"<title>T &lt;1&gt;</title>", "<h2>Section <code>a&lt;b</code></h2>", "<p>x &lt; y &amp; <code>z|w</code></p>",
		"<li>one</li>", "<caption>cap</caption>", "<td>a|b</td><td class=\"r\">1.5</td>", "<td>c</td><td class=\"r\"></td>",
		"<img src=\"figures/a%20b.png\" alt=\"fig [1]\" width=\"300\">", "<details><summary>more</summary>", "<pre>lsconf repro --out x</pre>",
	} {
		if !strings.Contains(h, want) {
			t.Errorf("HTML lacks %q:\n%s", want, h)
		}
	}
	for _, bad := range []string{"http://", "https://", "<script"} {
		if strings.Contains(h, bad) {
			t.Errorf("HTML is not self-contained: has %q", bad)
		}
	}
	if got := inlineHTML("a `b"); got != "a `b" {
		t.Errorf("unmatched backquote: %q", got)
	}
}
