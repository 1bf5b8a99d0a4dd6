//go:build linux && !amd64 && !386

package dnsserver

import "syscall"

const sysSetns = syscall.SYS_SETNS
