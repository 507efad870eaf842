package data

import (
	"context"
	"fmt"
)

// SourceSplit is one split of a data source with its images per class.
type SourceSplit struct {
	Name   string `json:"name"`
	Counts []int  `json:"counts"`
	Total  int    `json:"total"`
}

// SourceReport describes a data source that is not an image folder: a
// built-in texture set or an IDX data set, by split.
type SourceReport struct {
	Source  string        `json:"source"`
	Kind    string        `json:"kind"` // "builtin" or "idx"
	Dir     string        `json:"dir,omitempty"`
	Classes []string      `json:"classes"`
	Splits  []SourceSplit `json:"splits"`
}

// DescribeSource loads a built-in ("builtin", "builtin-gen") or IDX
// ("fashion-mnist", "idx:DIR") source the way train does and counts its
// images per class and split. Folders are described by LoadImageFolder's
// report instead (IsFolderSource tells them apart).
func DescribeSource(ctx context.Context, source string, dataSeed uint64) (*SourceReport, error) {
	count := func(name string, g *GraySet) SourceSplit {
		sp := SourceSplit{Name: name, Counts: make([]int, len(g.ClassNames)), Total: g.Len()}
		for _, y := range g.Labels {
			if y >= 0 && y < len(sp.Counts) {
				sp.Counts[y]++
			}
		}
		return sp
	}
	switch {
	case IsIDXSource(source):
		s, err := OpenIDXSource(source)
		if err != nil {
			return nil, err
		}
		r := &SourceReport{Source: source, Kind: "idx", Dir: s.Dir, Classes: s.Train.Classes()}
		r.Splits = []SourceSplit{count("train", s.Train), count("test", s.Test)}
		return r, nil
	case source == BuiltinTrain || source == BuiltinGen:
		b, err := LoadSource(ctx, source, dataSeed, LoadOptions{})
		if err != nil {
			return nil, err
		}
		return &SourceReport{Source: source, Kind: "builtin", Classes: b.ClassNames,
			Splits: []SourceSplit{{Name: "base images", Counts: b.Counts(), Total: b.Len()}}}, nil
	}
	return nil, fmt.Errorf("%q names a folder: load it with LoadImageFolder", source)
}

// IsFolderSource reports whether a data source names an image folder
// (not a built-in set, an IDX data set or none).
func IsFolderSource(source string) bool {
	return source != "" && source != BuiltinTrain && source != BuiltinGen && source != NoSource && !IsIDXSource(source)
}
