//go:build tools

// Package tools pins FerretDB so that `go build` fetches exactly v1.24.2.
package tools

import _ "github.com/FerretDB/FerretDB/cmd/ferretdb"
