#!/usr/bin/env bash
# Installs what lsconf's build and tests need on a fresh Debian machine:
# Go modules (from the Go module proxy), chromium, libjpeg-turbo-progs,
# dataset-fashion-mnist and oxygen-icon-theme (from Debian). Idempotent; safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
command -v go >/dev/null || { echo "setup: Go is not installed (expected /usr/local/go/bin/go)" >&2; exit 1; }
go mod download
# The upstream release of the compute fork, for scripts/fork-diff.sh, the
# fmt-check and the test that builds lsconf without the fork (go.mod's
# replace hides it from go mod download).
go mod download "github.com/gomlx/compute@$(awk '$1 == "github.com/gomlx/compute" && $2 ~ /^v/ {print $2; exit}' go.mod)"

# install_debian PKG MISSING WHY LOGNAME CONSEQUENCE installs Debian's PKG
# (MISSING is what was looked for) when this is root with apt-get, logging
# to /tmp/lsconf-setup-LOGNAME.log; otherwise, or when the install fails,
# it says so and what CONSEQUENCE follows.
install_debian() {
  local pkg=$1 missing=$2 why=$3 log=/tmp/lsconf-setup-$4.log consequence=$5
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "setup: installing $pkg $why" >&2
    if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$pkg"; } >"$log" 2>&1; then
      echo "setup: could not install $pkg (see $log); $consequence" >&2
    fi
  else
    echo "setup: $missing is missing and cannot be installed here (needs root and apt-get); $consequence" >&2
  fi
}

# Chromium drives the browser test of the search page (web/browser_test.go).
# Installed from Debian when missing; without it that test skips itself.
if ! command -v chromium >/dev/null 2>&1 && [ ! -x /usr/bin/chromium ]; then
  install_debian chromium chromium "for the browser test of the web page" chromium "the browser test will be skipped"
fi

# jpegtran (Debian's libjpeg-turbo-progs) rewrites test photos as
# progressive, restart-marked and optimised JPEGs for
# data/internal/jpegdc's TestFastScanJPEGTranVariants; without it that test
# skips itself.
if ! command -v jpegtran >/dev/null 2>&1; then
  install_debian libjpeg-turbo-progs jpegtran "(jpegtran, for a JPEG decoder test)" jpegtran "the jpegtran test will be skipped"
fi

# Fashion-MNIST (lsconf train --data fashion-mnist) from Debian's
# dataset-fashion-mnist. Installed when missing; without it the tests that
# read the real set skip themselves and --data fashion-mnist says how to
# install it.
if [ ! -d /usr/share/datasets/fashion-mnist ]; then
  install_debian dataset-fashion-mnist dataset-fashion-mnist "(lsconf train --data fashion-mnist)" fashion-mnist "--data fashion-mnist will not work and its tests will be skipped"
fi

# Outlier images for outlier exposure (lsconf train --outliers, repro
# --variant-outliers / --outliers): Debian's oxygen-icon-theme, whose
# /usr/share/icons/oxygen/base holds 8,813 icon files (6,264 distinct
# images over 8 sizes) of objects, places, devices, applications and
# document types (docs/data.md). 32 MB to download, 38 MB installed; about 15 s of
# set-up on a 2-core machine with a fast mirror. Installed when missing;
# without it the outlier-exposure commands say the folder has no images.
if [ ! -d /usr/share/icons/oxygen/base/128x128 ]; then
  install_debian oxygen-icon-theme oxygen-icon-theme "(outlier images for --outliers)" oxygen "--outliers /usr/share/icons/oxygen/base will not work"
fi
