// Command cqlcapture records the traffic between a CQL client and a
// Cassandra node: it listens on a loopback address, forwards each connection
// to the node and writes both directions of every connection to files under
// -dir (see package capture). Stop it with Ctrl-C.
//
//	go run ./internal/capture/cmd/cqlcapture -listen 127.0.0.1:19042 -target 127.0.0.1:9042 -dir testdata/capture/x
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/cqlgo/cassandra/internal/capture"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:19042", "address clients connect to")
	target := flag.String("target", "127.0.0.1:9042", "Cassandra node to forward to")
	dir := flag.String("dir", "capture", "directory for the recordings")
	flag.Parse()
	p, err := capture.Listen(*listen, *target, *dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "cqlcapture:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "cqlcapture: %s -> %s, recording into %s\n", p.Addr(), *target, *dir)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	if err := p.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "cqlcapture:", err)
		os.Exit(1)
	}
}
