package repro

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCommittedUnseenVerdict: the committed unseen-class reports state the
// verdict the current code computes from their report.json (ce ranked by
// distance beats ce+g's sim in every seed there: "worse", not "no
// better").
func TestCommittedUnseenVerdict(t *testing.T) {
	for _, dir := range []string{"unseen", "unseen-recommended"} {
		t.Run(dir, func(t *testing.T) {
			root := filepath.Join("..", "docs", dir)
			b, err := os.ReadFile(filepath.Join(root, "report.json"))
			if err != nil {
				t.Fatal(err)
			}
			var res UnseenResult
			if err := json.Unmarshal(b, &res); err != nil {
				t.Fatal(err)
			}
			md, err := os.ReadFile(filepath.Join(root, "report.md"))
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, line := range unseenVerdict(&res) {
				if strings.HasPrefix(line, "Verdict on") {
					found = true
					if !strings.Contains(string(md), line) {
						t.Errorf("report.md lacks the verdict %q", line)
					}
					if !strings.Contains(line, "worse than ce's encodings ranked by distance in every seed") {
						t.Errorf("verdict %q", line)
					}
				}
			}
			if !found {
				t.Fatal("no verdict computed")
			}
		})
	}
}
