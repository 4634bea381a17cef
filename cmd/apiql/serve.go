package main

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"

	"github.com/apiql/apiql/engine"
	"github.com/apiql/apiql/shell/pgserve"
)

const serveUsage = `Usage: apiql serve [flags]

Serves apiql over the Postgres wire protocol, for psql, BI tools (Grafana,
Metabase, DBeaver) and Postgres drivers. Each provider service is a schema
(digitalocean_images), each resource a table (digitalocean_images.images).
Read-only unless --allow-writes. The password is APIQL_SERVE_PASSWORD, or
one generated and printed once at start; any user name is accepted.

Examples:
  apiql serve --sandbox
  psql "postgres://apiql@127.0.0.1:5433/apiql" -c "SELECT count(*) FROM digitalocean_images.images"

Flags:
`

// runServe is `apiql serve`.
func runServe(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(helpOutput(args, stdout, stderr))
	// The session flags exec and shell share, without those about output,
	// query files and writes (a client chooses its output; writes are
	// --allow-writes).
	var c config
	all := flag.NewFlagSet("serve", flag.ContinueOnError)
	c.register(all)
	all.VisitAll(func(f *flag.Flag) {
		switch f.Name {
		case "H", "o", "output", "null", "var", "vars", "timing", "dry-run", "read-only":
			return
		}
		fs.Var(f.Value, f.Name, f.Usage)
	})
	addr := fs.String("addr", "127.0.0.1:5433", "listen on `ADDR`; other than loopback only with TLS")
	certFile := fs.String("tls-cert", "", "TLS certificate `FILE` (PEM); with --tls-key, clients may use sslmode=require")
	keyFile := fs.String("tls-key", "", "TLS private key `FILE` (PEM)")
	allowWrites := fs.Bool("allow-writes", false, "let clients run INSERT, UPDATE, DELETE and EXEC of methods that change things")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), serveUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "apiql serve: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if err := c.check(); err != nil {
		fmt.Fprintf(stderr, "apiql serve: %v\n", err)
		return 2
	}
	if (*certFile == "") != (*keyFile == "") {
		fmt.Fprintln(stderr, "apiql serve: --tls-cert and --tls-key go together")
		return 2
	}
	if err := pgserve.ListenCheck(*addr, *certFile != ""); err != nil {
		fmt.Fprintf(stderr, "apiql serve: %v\n", err)
		return 2
	}
	var tlsConfig *tls.Config
	if *certFile != "" {
		cert, err := tls.LoadX509KeyPair(*certFile, *keyFile)
		if err != nil {
			fmt.Fprintf(stderr, "apiql serve: loading the TLS key pair: %v\n", err)
			return 2
		}
		tlsConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	password, generated := os.Getenv("APIQL_SERVE_PASSWORD"), false
	if password == "" {
		b := make([]byte, 18)
		if _, err := rand.Read(b); err != nil {
			fmt.Fprintf(stderr, "apiql serve: %v\n", err)
			return 1
		}
		password, generated = base64.RawURLEncoding.EncodeToString(b), true
	}
	opts, cleanup, err := c.engineOptions(stderr, nil)
	if err != nil {
		fmt.Fprintf(stderr, "apiql serve: %v\n", err)
		return 1
	}
	defer cleanup()
	// The environment's tokens, masked in every error a client sees.
	probe, err := engine.NewSession(context.Background(), opts)
	if err != nil {
		fmt.Fprintf(stderr, "apiql serve: %v\n", err)
		return 1
	}
	secrets := envSecrets(probe)
	probe.Close()
	srv, err := pgserve.New(pgserve.Config{Engine: opts, Password: password, TLS: tlsConfig, AllowWrites: *allowWrites, Version: version,
		Secrets: secrets, MoreSecrets: opts.Connections.CommandTokens})
	if err != nil {
		fmt.Fprintf(stderr, "apiql serve: %v\n", err)
		return 1
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "apiql serve: %v\n", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	mode := "read-only"
	if *allowWrites {
		mode = "writes allowed"
	}
	fmt.Fprintf(stdout, "apiql serving the Postgres protocol at %s (%s)\n", ln.Addr(), mode)
	if generated {
		fmt.Fprintf(stdout, "password (generated, shown once; set APIQL_SERVE_PASSWORD to choose it): %s\n", password)
	}
	fmt.Fprintf(stdout, "connect: psql \"postgres://apiql@%s/apiql\"\n", net.JoinHostPort(host, port))
	if err := srv.Serve(ln); err != nil && ctx.Err() == nil {
		fmt.Fprintf(stderr, "apiql serve: %v\n", err)
		return 1
	}
	return 0
}
