package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/lsconf/lsconf/engine/kernels"
	"github.com/spf13/cobra"
)

func newVersionCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the lsconf version and the versions it was built with",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			info := map[string]string{
				"lsconf": version,
				"go":     runtime.Version(),
				// The compute backend's SIMD kernel set on this machine.
				"kernels": kernels.Kernels(),
			}
			if r := kernels.KernelsReason(); r != "" {
				info["kernels_reason"] = r
			}
			if bi, ok := debug.ReadBuildInfo(); ok {
				for _, d := range bi.Deps {
					switch d.Path {
					case "github.com/gomlx/gomlx", "github.com/gomlx/compute":
						v := d.Version
						if d.Replace != nil {
							v += " (lsconf fork " + d.Replace.Path + ")"
						}
						info[d.Path] = v
					}
				}
				for _, s := range bi.Settings {
					if s.Key == "GOEXPERIMENT" {
						info["GOEXPERIMENT"] = s.Value
					}
				}
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), info)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "lsconf %s (%s", info["lsconf"], info["go"])
			if e := info["GOEXPERIMENT"]; e != "" {
				fmt.Fprintf(cmd.OutOrStdout(), ", GOEXPERIMENT=%s", e)
			}
			fmt.Fprintln(cmd.OutOrStdout(), ")")
			fmt.Fprintf(cmd.OutOrStdout(), "  kernels %s", info["kernels"])
			if r := info["kernels_reason"]; r != "" {
				fmt.Fprintf(cmd.OutOrStdout(), " (%s)", r)
			}
			fmt.Fprintln(cmd.OutOrStdout())
			for _, k := range []string{"github.com/gomlx/gomlx", "github.com/gomlx/compute"} {
				if v, ok := info[k]; ok {
					fmt.Fprintf(cmd.OutOrStdout(), "  %s %s\n", k, v)
				}
			}
			return nil
		},
	}
	jsonFlag(cmd, &asJSON, "the result")
	return cmd
}
