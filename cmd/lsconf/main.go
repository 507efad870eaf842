// Command lsconf trains supervised autoencoders whose latent space is
// configured in advance, and searches image collections by their latent
// encodings. Run "lsconf --help" for the commands.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/lsconf/lsconf/engine"
	"github.com/lsconf/lsconf/engine/kernels"
)

// version is the lsconf release; main builds may override it with
// -ldflags "-X main.version=...".
var version = "0.1.0-dev"

// globalOptions are the flags every command shares.
type globalOptions struct {
	parallelism int
	backend     string
	quiet       bool
}

// engine is the compute backend configuration the flags ask for.
func (g *globalOptions) engine() engine.Config {
	return engine.Config{Parallelism: g.parallelism, Backend: g.backend}
}

func newRootCmd() *cobra.Command {
	g := &globalOptions{}
	root := &cobra.Command{
		Use:   "lsconf",
		Short: "Supervised autoencoders with a latent space configured in advance",
		Long: `lsconf trains supervised autoencoders (SAE) whose latent space (LS) is laid out
in advance: a geometric loss puts each class's cluster where you choose, so that
classification, similarity, image search and word queries work straight from the
LS coordinates (Gabdullin, "Latent space configuration for improved
generalization in supervised autoencoder neural networks").

Start with "lsconf demo": it generates the built-in texture data, trains a
model, draws the latent space and searches it, and prints where everything is.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().IntVar(&g.parallelism, "parallelism", 0, "worker threads of the compute backend (0 = number of CPUs + 1)")
	root.PersistentFlags().StringVar(&g.backend, "backend", "go", "compute backend: go (pure Go, the default) or, in builds with -tags xla, xla or xla:<plugin> (e.g. xla:cuda)")
	root.PersistentFlags().BoolVarP(&g.quiet, "quiet", "q", false, "no progress bars or status lines on stderr")
	root.PersistentPreRun = func(cmd *cobra.Command, args []string) {
		if w := kernels.BuildWarning(); w != "" && !g.quiet {
			fmt.Fprintf(cmd.ErrOrStderr(), "lsconf: warning: %s\n", w)
		}
	}
	root.AddCommand(
		newVersionCmd(),
		newLayoutCmd(),
		newIndexCmd(g),
		newSearchCmd(g),
		newServeCmd(g),
		newTrainCmd(g),
		newEvalCmd(g),
		newEncodeCmd(g),
		newPlotCmd(g),
		newDataCmd(g),
		newReproCmd(g),
		newDemoCmd(g),
		newBenchCmd(g),
		newShiftCmd(g),
		newDecodeCmd(g),
	)
	withAdvice(root)
	return root
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	root := newRootCmd()
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintf(os.Stderr, "lsconf: %v\n", err)
		if errors.Is(err, context.Canceled) {
			os.Exit(130)
		}
		os.Exit(1)
	}
}
