// Command cannedsrv runs the benchmarks' simulated node (package
// bench/internal/cannedsrv) in a process of its own. It prints the address
// it listens on as its first line of output and serves until it is sent
// SIGINT or SIGTERM, or until its standard input closes, so that it never
// outlives the harness that started it.
//
//	taskset -c 1 cannedsrv -addr 127.0.0.1:0
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"syscall"

	"github.com/cqlgo/cassandra/bench/internal/cannedsrv"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "address to listen on")
	verbose := flag.Bool("v", false, "log every request answered with an error")
	watchStdin := flag.Bool("stdin", true, "exit when standard input closes")
	flag.Parse()
	var opts cannedsrv.Options
	if *verbose {
		opts.Log = func(l string) { log.Print(l) }
	}
	s, err := cannedsrv.Listen(*addr, opts)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(s.Addr())
	stop := make(chan struct{}, 2)
	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
		<-sig
		stop <- struct{}{}
	}()
	if *watchStdin {
		go func() {
			io.Copy(io.Discard, os.Stdin)
			stop <- struct{}{}
		}()
	}
	go func() {
		<-stop
		s.Close()
	}()
	if err := s.Serve(); err != nil {
		log.Fatal(err)
	}
}
