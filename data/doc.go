// Package data provides the images lsconf trains and searches on: the
// built-in procedural clothing-texture sets (a training set and a shifted
// "generalization" set), a loader for ImageFolder trees of the user's own
// images, the paper's augmentations, the "pre" and "post" 80/20 splits, and
// streaming batches.
package data
