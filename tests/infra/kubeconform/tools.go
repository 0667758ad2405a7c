//go:build tools

// Package tools pins kubeconform so that `go build` fetches exactly v0.7.0.
package tools

import _ "github.com/yannh/kubeconform/cmd/kubeconform"
