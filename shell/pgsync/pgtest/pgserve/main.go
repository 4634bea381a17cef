// Command pgserve runs a private PostgreSQL cluster (see pgtest) until it
// is interrupted, for benchmarks and manual trials: it prints the URL of
// an empty database on its first line. Not part of apiql.
//
//	go run ./shell/pgsync/pgtest/pgserve
package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/apiql/apiql/shell/pgsync/pgtest"
)

func main() {
	c, err := pgtest.Start()
	if err != nil {
		fmt.Fprintln(os.Stderr, "pgserve:", err)
		os.Exit(1)
	}
	defer c.Stop()
	url, err := c.NewDatabase()
	if err != nil {
		fmt.Fprintln(os.Stderr, "pgserve:", err)
		return
	}
	fmt.Println(url)
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	<-ch
}
