package kernels

import (
	"runtime"
	"strings"
	"testing"

	"github.com/lsconf/lsconf/engine"
)

func TestBuildWarning(t *testing.T) {
	w := BuildWarning()
	if engine.SIMDBuild() && Kernels() != "go" && w != "" {
		t.Errorf("SIMD build with kernels %s warns: %q", Kernels(), w)
	}
	if !engine.SIMDBuild() && runtime.GOARCH == "amd64" && w == "" {
		t.Error("amd64 build without GOEXPERIMENT=simd gives no warning")
	}
	if Kernels() == "go" && (w == "" || !strings.Contains(w, KernelsReason())) {
		t.Errorf("pure-Go kernels (%s): warning %q does not say why", KernelsReason(), w)
	}
}

// TestKernels: the kernel set is one of the three names, and AVX-512 is
// used exactly when nothing is missing.
func TestKernels(t *testing.T) {
	k := Kernels()
	if k != "avx512" && k != "avx2" && k != "go" {
		t.Fatalf("Kernels() = %q", k)
	}
	if (k == "avx512") != (KernelsReason() == "") {
		t.Errorf("kernels %s, reason %q", k, KernelsReason())
	}
	t.Logf("kernels %s (%s)", k, KernelsReason())
}
