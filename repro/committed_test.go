package repro

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCommittedReportsCarryEveryVerdict: the committed reproduction
// reports carry every verdict the current code computes from their
// report.json, with the same outcome; the polar one, which needs the
// runs' encodings, says "not tested" rather than being left out.
func TestCommittedReportsCarryEveryVerdict(t *testing.T) {
	for _, dir := range []string{"repro", "repro-recommended"} {
		t.Run(dir, func(t *testing.T) {
			root := filepath.Join("..", "docs", dir)
			b, err := os.ReadFile(filepath.Join(root, "report.json"))
			if err != nil {
				t.Fatal(err)
			}
			vs, err := VerdictsOfReport(b)
			if err != nil {
				t.Fatal(err)
			}
			md, err := os.ReadFile(filepath.Join(root, "report.md"))
			if err != nil {
				t.Fatal(err)
			}
			if len(vs) != 5 {
				t.Fatalf("%d verdicts, want 5", len(vs))
			}
			for i, v := range vs {
				head := verdictHeading(i, v, Config{})
				head = head[:strings.Index(head, strings.ToUpper(v.Outcome))+len(v.Outcome)]
				if !strings.Contains(string(md), "### "+head) {
					t.Errorf("report.md lacks the verdict %q", head)
				}
			}
			if v := vs[4]; v.Outcome != NotTested {
				t.Errorf("polar verdict recomputed from report.json: %+v", v)
			}
		})
	}
}
