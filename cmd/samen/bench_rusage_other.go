//go:build !unix

package main

import "os"

// maxRSS is unknown here: only Unix reports a process's peak memory.
func maxRSS(*os.ProcessState) int64 { return 0 }
