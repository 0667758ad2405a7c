//go:build tools

// Package tools pins Helm so that `go build` fetches exactly v3.16.4.
package tools

import _ "helm.sh/helm/v3/cmd/helm"
